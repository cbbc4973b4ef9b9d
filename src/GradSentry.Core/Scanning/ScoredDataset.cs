namespace GradSentry.Scanning;

/// <summary>
/// The scores of a dataset (or of one shard of it) before any threshold is fitted. <see cref="DatasetScanner.Decide"/>
/// turns it into a <see cref="ScanResult"/>; scores of several shards are combined with <see cref="DatasetScanner.Combine"/>.
/// </summary>
/// <param name="Files">Input files, in order.</param>
/// <param name="ModelDirectory">Full path of the model.</param>
/// <param name="ModelHash">Content hash of the model files.</param>
/// <param name="ProbeName">Gradient method used.</param>
/// <param name="Options">The options of the scan.</param>
/// <param name="TotalRows">Rows in all files (every shard reads every row, and scores only its own).</param>
/// <param name="Rows">The scored rows in global order: all of them, or those of <see cref="ScanOptions.Shard"/>.</param>
/// <param name="TopSuspects">The highest-scoring rows of <see cref="Rows"/> with their text, highest first (ties: lower global index first).</param>
/// <param name="Elapsed">Wall time (a timing field).</param>
/// <param name="RowsFromCache">Rows answered by the score cache.</param>
public sealed record ScoredDataset(
    IReadOnlyList<string> Files,
    string ModelDirectory,
    string ModelHash,
    string ProbeName,
    ScanOptions Options,
    long TotalRows,
    IReadOnlyList<ScoredRow> Rows,
    IReadOnlyList<RankedSuspect> TopSuspects,
    TimeSpan Elapsed,
    long RowsFromCache)
{
    /// <summary>What the trigger-conditional verdict concluded (groups with their evidence, or why it fell back); null for other scores.</summary>
    public Detection.AssociationOutcome? Association { get; init; }

    /// <summary>
    /// The content hash of each block of <see cref="Scoring.ScoringOptions.Window"/> rows over every row read (<see cref="DataBlockHasher"/>),
    /// this shard's or not; null when not recorded. Shards whose block hashes differ read different data and are not combined.
    /// </summary>
    public IReadOnlyList<string>? BlockHashes { get; init; }
}
