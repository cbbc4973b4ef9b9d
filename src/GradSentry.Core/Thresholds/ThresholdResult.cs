namespace GradSentry.Thresholds;

/// <summary>
/// A fitted threshold: rows whose score is strictly greater than <see cref="Value"/> are flagged.
/// </summary>
/// <param name="Value">The threshold τ. Flagging is strict: <c>score &gt; τ</c> (NaN is never flagged).</param>
/// <param name="Method">Which path fired; one of <see cref="ThresholdMethods"/>.</param>
/// <param name="Details">The numbers behind the decision, for reports.</param>
public sealed record ThresholdResult(double Value, string Method, ThresholdDetails Details)
{
    /// <summary>True when <paramref name="score"/> is flagged: <c>score &gt; Value</c>.</summary>
    public bool IsFlagged(double score) => score > Value;

    /// <summary>Number of <paramref name="scores"/> flagged by this threshold.</summary>
    public int CountFlagged(IEnumerable<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var count = 0;
        foreach (var s in scores)
            if (s > Value) count++;
        return count;
    }
}

/// <summary>
/// What a threshold rule saw and decided. Properties a path does not reach stay <see langword="null"/>,
/// mirroring the reference's <c>details</c> dictionary (grid indices are 0-based into the KDE grid).
/// </summary>
public sealed record ThresholdDetails
{
    /// <summary>Number of scores the rule was fitted on (for the KDE rule with <see cref="NonFiniteScores.Ignore"/>, the finite ones).</summary>
    public required int NumSamples { get; init; }

    /// <summary>Number of input scores flagged (<c>score &gt; τ</c>), over every input score.</summary>
    public required int FlaggedCount { get; init; }

    /// <summary>Non-finite input scores left out of the fit (only with <see cref="NonFiniteScores.Ignore"/>).</summary>
    public int IgnoredNonFinite { get; init; }

    /// <summary>KDE: Silverman bandwidth <c>1.06 · std(ddof=1) · n^(-1/5)</c>.</summary>
    public double? Bandwidth { get; init; }

    /// <summary>KDE: first grid point, <c>min - 1e-6</c>.</summary>
    public double? GridStart { get; init; }

    /// <summary>KDE: last grid point, <c>max + 1e-6</c>.</summary>
    public double? GridStop { get; init; }

    /// <summary>KDE: distance between grid points, <c>(stop - start) / (points - 1)</c>.</summary>
    public double? GridStep { get; init; }

    /// <summary>KDE: grid indices of the density peaks with prominence at least 1% of the maximum density.</summary>
    public IReadOnlyList<int>? PeakIndices { get; init; }

    /// <summary>KDE: grid index of the left peak of the valley interval.</summary>
    public int? LeftPeakIndex { get; init; }

    /// <summary>KDE: grid index of the right peak of the valley interval.</summary>
    public int? RightPeakIndex { get; init; }

    /// <summary>KDE: score at the left peak.</summary>
    public double? LeftPeak { get; init; }

    /// <summary>KDE: score at the right peak.</summary>
    public double? RightPeak { get; init; }

    /// <summary>KDE: grid index of the density minimum strictly between the two peaks.</summary>
    public int? ValleyIndex { get; init; }

    /// <summary>KDE: the score at the valley, the threshold when the valley is accepted.</summary>
    public double? TauCandidate { get; init; }

    /// <summary>KDE: fitted scores at or above <see cref="TauCandidate"/>.</summary>
    public int? SuspectCount { get; init; }

    /// <summary>KDE: <see cref="SuspectCount"/> / <see cref="NumSamples"/>.</summary>
    public double? SuspectRatio { get; init; }

    /// <summary>Top fraction: the requested fraction f.</summary>
    public double? Fraction { get; init; }

    /// <summary>Top fraction: the row budget <c>ceil(f · n)</c>.</summary>
    public int? TargetCount { get; init; }
}

/// <summary>What a threshold rule does with NaN and ±infinity in its input.</summary>
public enum NonFiniteScores
{
    /// <summary>Throw <see cref="ArgumentException"/> naming the first offending index (the default).</summary>
    Reject = 0,

    /// <summary>
    /// Fit on the finite scores only, as the reference does; flagging still applies <c>score &gt; τ</c> to every
    /// input, so +infinity is flagged and NaN and -infinity are not.
    /// </summary>
    Ignore = 1,
}
