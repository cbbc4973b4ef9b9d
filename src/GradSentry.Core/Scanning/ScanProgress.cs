namespace GradSentry.Scanning;

/// <summary>Progress of a running scan.</summary>
/// <param name="RowsDone">Rows scored so far.</param>
/// <param name="RowsTotal">Rows in the input, when known (null while counting).</param>
/// <param name="Elapsed">Time since scoring started.</param>
public sealed record ScanProgress(long RowsDone, long? RowsTotal, TimeSpan Elapsed)
{
    /// <summary>A one-time message for the user (e.g. the dtype the model was loaded in and why), or null for a plain progress report.</summary>
    public string? Note { get; init; }

    /// <summary>Rows per second so far.</summary>
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? RowsDone / Elapsed.TotalSeconds : 0;

    /// <summary>Estimated time left, when the total is known and the rate is positive.</summary>
    public TimeSpan? Remaining => RowsTotal is { } total && RowsPerSecond > 0
        ? TimeSpan.FromSeconds(Math.Max(0, total - RowsDone) / RowsPerSecond)
        : null;
}
