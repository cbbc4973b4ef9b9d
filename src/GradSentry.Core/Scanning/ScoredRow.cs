using GradSentry.Scoring;

namespace GradSentry.Scanning;

/// <summary>A row with its score and no decision yet: what a shard produces and a merge combines.</summary>
/// <param name="GlobalIndex">0-based index of the row over all files, in order (equals <see cref="SampleScore.Id"/>).</param>
/// <param name="File">Input file, as given.</param>
/// <param name="Row">0-based row within the file.</param>
/// <param name="Line">1-based line where the row starts.</param>
/// <param name="RowHash">SHA-256 (hex) of the row's raw text.</param>
/// <param name="Score">The score or the reason there is none.</param>
public sealed record ScoredRow(long GlobalIndex, string File, long Row, long Line, string RowHash, SampleScore Score)
{
    // Held in 32 bytes: a scan keeps one per row.
    readonly CompactRowHash _rowHash = CompactRowHash.From(RowHash);

    /// <summary>SHA-256 (hex) of the row's raw text.</summary>
    public string RowHash
    {
        get => _rowHash.ToString();
        init => _rowHash = CompactRowHash.From(value);
    }

    /// <summary>The row's prompt and answer words, kept for the trigger-conditional verdict's dataset step (null for other scores).</summary>
    public Detection.AssociationWords? Words { get; init; }
}
