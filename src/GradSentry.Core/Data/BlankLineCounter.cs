namespace GradSentry.Data;

/// <summary>
/// The blank lines <see cref="SampleReader"/> skipped (<see cref="ReaderOptions.BlankLines"/>): each file and line
/// counted once, so a file read twice (a pre-pass, a rescan) is not counted twice. Thread-safe.
/// </summary>
public sealed class BlankLineCounter
{
    readonly HashSet<(string File, long Line)> _lines = [];
    readonly Lock _gate = new();

    /// <summary>How many blank lines were skipped.</summary>
    public long Count
    {
        get
        {
            lock (_gate)
                return _lines.Count;
        }
    }

    /// <summary>Records a skipped blank line.</summary>
    public void Add(string file, long line)
    {
        lock (_gate)
            _lines.Add((file, line));
    }
}
