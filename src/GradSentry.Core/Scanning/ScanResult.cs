using GradSentry.Verdicts;

namespace GradSentry.Scanning;

/// <summary>The outcome of a scan, as report writers see it.</summary>
/// <param name="Files">Input files, in order.</param>
/// <param name="ModelDirectory">Full path of the model.</param>
/// <param name="ModelHash">Content hash of the model files.</param>
/// <param name="ProbeName">Gradient method used (e.g. <c>lm_head-closed-form</c>).</param>
/// <param name="Options">The options of the scan.</param>
/// <param name="Summary">Counts and the fitted threshold.</param>
/// <param name="Rows">Every row, in input order.</param>
/// <param name="TopSuspects">The highest-scoring rows with their text, highest first.</param>
/// <param name="Elapsed">Wall time (a timing field: excluded from determinism checks).</param>
/// <param name="RowsFromCache">Rows answered by the score cache.</param>
public sealed record ScanResult(
    IReadOnlyList<string> Files,
    string ModelDirectory,
    string ModelHash,
    string ProbeName,
    ScanOptions Options,
    DatasetSummary Summary,
    IReadOnlyList<ScanRow> Rows,
    IReadOnlyList<SuspectText> TopSuspects,
    TimeSpan Elapsed,
    long RowsFromCache)
{
    /// <summary>
    /// The gate before any baseline: flagged fraction within <see cref="ScanOptions.MaxPoisonFraction"/> and no failed row
    /// (<see cref="DatasetSummary.GatePasses"/>; the tool's report applies the same rule to the rows a baseline leaves).
    /// </summary>
    public bool Passed => DatasetSummary.GatePasses(Summary.Flagged, Summary.Evaluated, Summary.Failed, Options.MaxPoisonFraction);

    /// <summary>What the trigger-conditional verdict concluded (groups with their evidence, or why it fell back); null for other scores.</summary>
    public Detection.AssociationOutcome? Association { get; init; }
}
