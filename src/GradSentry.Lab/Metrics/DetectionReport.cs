namespace GradSentry.Lab.Metrics;

/// <summary>Metrics of one score on one dataset.</summary>
/// <param name="Auroc">AUROC over all scored rows.</param>
/// <param name="Confusion">The decision at the threshold.</param>
/// <param name="Buckets">The same, per answer-length bucket (in <see cref="LengthBuckets.Labels"/> order).</param>
/// <param name="ControlFalsePositiveRate">Flagged long-answer controls / controls (NaN without controls).</param>
/// <param name="CleanFalsePositiveRate">Flagged plain clean rows / plain clean rows (NaN without any).</param>
public sealed record DetectionReport(double Auroc, Confusion Confusion, IReadOnlyList<BucketReport> Buckets, double ControlFalsePositiveRate, double CleanFalsePositiveRate)
{
    /// <summary>Share of the boilerplate rows (clean answers ending in a repeated sentence, no trigger) that were flagged; NaN without any.</summary>
    public double BoilerplateFalsePositiveRate { get; init; } = double.NaN;

    /// <summary>Recall of each backdoor, where a dataset holds several (keyed by <see cref="Data.LabeledSample.Backdoor"/>); empty otherwise.</summary>
    public IReadOnlyDictionary<string, double> RecallByBackdoor { get; init; } = new Dictionary<string, double>();

    /// <summary>Computes every metric. <paramref name="isControl"/> and <paramref name="isPlainClean"/> pick the FPR subsets.</summary>
    public static DetectionReport Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> flagged, IReadOnlyList<bool> poisoned,
        IReadOnlyList<int> answerTokens, IReadOnlyList<bool> isControl, IReadOnlyList<bool> isPlainClean,
        IReadOnlyList<bool>? isBoilerplate = null, IReadOnlyList<string?>? backdoor = null)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(flagged);
        ArgumentNullException.ThrowIfNull(poisoned);
        ArgumentNullException.ThrowIfNull(answerTokens);
        ArgumentNullException.ThrowIfNull(isControl);
        ArgumentNullException.ThrowIfNull(isPlainClean);
        var buckets = new List<BucketReport>();
        for (var b = 0; b < LengthBuckets.Labels.Count; b++)
        {
            var idx = Enumerable.Range(0, scores.Count).Where(i => LengthBuckets.Of(answerTokens[i]) == b).ToList();
            var s = idx.Select(i => scores[i]).ToList();
            var y = idx.Select(i => poisoned[i]).ToList();
            var f = idx.Select(i => flagged[i]).ToList();
            buckets.Add(new BucketReport(LengthBuckets.Labels[b], idx.Count, y.Count(v => v), Metrics.Auroc.Compute(s, y), Confusion.Of(y, f)));
        }
        return new DetectionReport(
            Metrics.Auroc.Compute(scores, poisoned),
            Confusion.Of(poisoned, flagged),
            buckets,
            Rate(flagged, isControl),
            Rate(flagged, isPlainClean))
        {
            BoilerplateFalsePositiveRate = isBoilerplate is null ? double.NaN : Rate(flagged, isBoilerplate),
            RecallByBackdoor = backdoor is null ? new Dictionary<string, double>()
                : backdoor.Where(b => b is not null).Distinct().Order(StringComparer.Ordinal)
                    .ToDictionary(b => b!, b => Rate(flagged, backdoor.Select(x => x == b).ToList())),
        };
    }

    static double Rate(IReadOnlyList<bool> flagged, IReadOnlyList<bool> subset)
    {
        int n = 0, hit = 0;
        for (var i = 0; i < flagged.Count; i++)
        {
            if (!subset[i]) continue;
            n++;
            if (flagged[i]) hit++;
        }
        return n == 0 ? double.NaN : (double)hit / n;
    }
}

/// <summary>Metrics within one answer-length bucket.</summary>
/// <param name="Bucket">The bucket label.</param>
/// <param name="Rows">Rows in the bucket.</param>
/// <param name="Poisoned">Poisoned rows in the bucket.</param>
/// <param name="Auroc">AUROC within the bucket (NaN when one class is absent).</param>
/// <param name="Confusion">The decision within the bucket.</param>
public sealed record BucketReport(string Bucket, int Rows, int Poisoned, double Auroc, Confusion Confusion);
