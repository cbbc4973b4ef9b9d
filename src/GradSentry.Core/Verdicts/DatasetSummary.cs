using GradSentry.Thresholds;

namespace GradSentry.Verdicts;

/// <summary>What a scan decided about a whole dataset.</summary>
/// <param name="Rows">Rows read.</param>
/// <param name="Evaluated">Rows that got a score.</param>
/// <param name="Flagged">Scored rows above the threshold.</param>
/// <param name="Failed">Rows that could not be scored (encoding errors, non-finite gradients).</param>
/// <param name="Threshold">The fitted threshold and the path that fired.</param>
public sealed record DatasetSummary(long Rows, long Evaluated, long Flagged, long Failed, ThresholdResult Threshold)
{
    /// <summary>Flagged / evaluated (0 when nothing was evaluated).</summary>
    public double FlaggedFraction => Evaluated == 0 ? 0 : (double)Flagged / Evaluated;

    /// <summary>
    /// The gate, the one rule every entry point uses: <paramref name="suspects"/> of <paramref name="evaluated"/> scored rows
    /// are within <paramref name="maxPoisonFraction"/> (with the default 0, any suspect fails), and no row failed to score
    /// (a gate never passes on rows it could not score).
    /// </summary>
    public static bool GatePasses(long suspects, long evaluated, long failed, double maxPoisonFraction) =>
        failed == 0 && SuspectsWithinLimit(suspects, evaluated, maxPoisonFraction);

    /// <summary>The first half of <see cref="GatePasses"/>: the suspect fraction is at most <paramref name="maxPoisonFraction"/>.</summary>
    public static bool SuspectsWithinLimit(long suspects, long evaluated, double maxPoisonFraction) =>
        suspects == 0 || (evaluated > 0 && (double)suspects / evaluated <= maxPoisonFraction);

    /// <summary>Fits <paramref name="rule"/> on the scored rows and counts the outcome.</summary>
    public static (DatasetSummary Summary, IReadOnlyList<RowVerdict> Verdicts) Decide(
        IReadOnlyList<Scoring.SampleScore> scores, IThresholdRule rule, int rank)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(rule);
        var scored = scores.Where(s => s.IsScored).Select(s => s.Score).ToList();
        var threshold = rule.Fit(scored);
        var verdicts = scores.Select(s => RowVerdict.Judge(s, threshold, rank)).ToList();
        var summary = new DatasetSummary(
            scores.Count,
            scored.Count,
            verdicts.Count(v => v.Flagged),
            verdicts.Count(v => v.Failed),
            threshold);
        return (summary, verdicts);
    }
}
