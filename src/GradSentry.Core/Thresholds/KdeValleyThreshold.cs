namespace GradSentry.Thresholds;

/// <summary>
/// The reference "reliable KDE valley" threshold (GradSentry, DESIGN.md §2 step 5).
/// </summary>
/// <remarks>
/// Decision order, exactly as the reference (the first rule that fires wins):
/// <list type="number">
/// <item>fewer than 30 scores → <see cref="ThresholdMethods.FallbackSmallN"/>;</item>
/// <item>all scores equal (population standard deviation 0) → <see cref="ThresholdMethods.FallbackZeroVariance"/>;</item>
/// <item>the Silverman bandwidth is computed; range below 1e-6 → <see cref="ThresholdMethods.FallbackTooNarrowRange"/>;</item>
/// <item>Gaussian KDE on 1000 points over [min - 1e-6, max + 1e-6]; peaks by <c>find_peaks</c> with prominence ≥ 1% of
/// the maximum density; fewer than two → <see cref="ThresholdMethods.FallbackUnimodal"/>;</item>
/// <item>left peak = the peak nearest 0, right peak = the peak nearest 1 (ties: the lower index); when that is the
/// same peak, the first and last peaks are used instead; no grid point strictly between them →
/// <see cref="ThresholdMethods.FallbackNoValidPeakInterval"/>;</item>
/// <item>valley = the grid point of least density strictly between the two peaks (first on ties); the suspects are the
/// scores at or above it;</item>
/// <item>peaks less than 0.15 apart → <see cref="ThresholdMethods.FallbackPeakTooClose"/>;</item>
/// <item>fewer than 5 suspects, or fewer than 1% → <see cref="ThresholdMethods.FallbackTooFewSuspiciousSamples"/>;</item>
/// <item>otherwise τ = the valley's score → <see cref="ThresholdMethods.KdeValleyReliableBimodal"/>.</item>
/// </list>
/// Every fallback returns τ = 0.7. Details are filled as far as the decision got.
/// </remarks>
public sealed class KdeValleyThreshold : IThresholdRule
{
    /// <summary>The threshold every fallback path returns.</summary>
    public const double FallbackThreshold = 0.7;
    /// <summary>Below this many scores the fallback is used.</summary>
    public const int MinSamples = 30;
    /// <summary>Number of KDE grid points.</summary>
    public const int GridPoints = 1000;
    /// <summary>The grid extends this far beyond the smallest and largest score.</summary>
    public const double GridPadding = 1e-6;
    /// <summary>Scores spanning less than this use the fallback.</summary>
    public const double MinRange = 1e-6;
    /// <summary>Peaks need a prominence of at least this fraction of the maximum density.</summary>
    public const double RelativeProminence = 0.01;
    /// <summary>The two peaks must be at least this far apart (in score units).</summary>
    public const double MinPeakSeparation = 0.15;
    /// <summary>At least this many scores must lie at or above the valley.</summary>
    public const int MinSuspectCount = 5;
    /// <summary>At least this fraction of the scores must lie at or above the valley.</summary>
    public const double MinSuspectRatio = 0.01;

    /// <summary>A rule that rejects non-finite scores.</summary>
    public KdeValleyThreshold() : this(NonFiniteScores.Reject) { }

    /// <summary>A rule with the given non-finite score policy (<see cref="NonFiniteScores.Ignore"/> reproduces the reference).</summary>
    public KdeValleyThreshold(NonFiniteScores nonFinite)
    {
        if (!Enum.IsDefined(nonFinite)) throw new ArgumentOutOfRangeException(nameof(nonFinite), nonFinite, "Unknown policy.");
        NonFinite = nonFinite;
    }

    /// <summary>What happens to NaN and ±infinity in the input.</summary>
    public NonFiniteScores NonFinite { get; }

    /// <inheritdoc />
    public ThresholdResult Fit(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (NonFinite == NonFiniteScores.Reject) ScoreChecks.RequireFinite(scores, nameof(scores));

        var finite = new List<double>(scores.Count);
        for (var i = 0; i < scores.Count; i++)
            if (double.IsFinite(scores[i])) finite.Add(scores[i]);
        var x = finite.ToArray();
        var n = x.Length;
        var details = new ThresholdDetails { NumSamples = n, FlaggedCount = 0, IgnoredNonFinite = scores.Count - n };

        ThresholdResult Decide(double tau, string method, ThresholdDetails d) =>
            new(tau, method, d with { FlaggedCount = ScoreChecks.CountAbove(scores, tau) });

        if (n < MinSamples) return Decide(FallbackThreshold, ThresholdMethods.FallbackSmallN, details);

        var min = x.Min();
        var max = x.Max();
        if (min == max || GaussianKde.StandardDeviation(x, ddof: 0) == 0)
            return Decide(FallbackThreshold, ThresholdMethods.FallbackZeroVariance, details);

        var bandwidth = GaussianKde.SilvermanBandwidth(x);
        details = details with { Bandwidth = bandwidth };
        if (max - min < MinRange) return Decide(FallbackThreshold, ThresholdMethods.FallbackTooNarrowRange, details);

        var start = min - GridPadding;
        var stop = max + GridPadding;
        var grid = GaussianKde.Linspace(start, stop, GridPoints);
        var density = GaussianKde.Density(x, bandwidth, grid);
        var peaks = PeakFinder.FindPeaks(density, RelativeProminence * density.Max());
        details = details with
        {
            GridStart = start,
            GridStop = stop,
            GridStep = (stop - start) / (GridPoints - 1),
            PeakIndices = peaks,
        };
        if (peaks.Length < 2) return Decide(FallbackThreshold, ThresholdMethods.FallbackUnimodal, details);

        var nearZero = Nearest(peaks, grid, 0.0);
        var nearOne = Nearest(peaks, grid, 1.0);
        if (nearZero == nearOne)
        {
            nearZero = peaks[0];
            nearOne = peaks[^1];
        }
        var left = Math.Min(nearZero, nearOne);
        var right = Math.Max(nearZero, nearOne);
        details = details with
        {
            LeftPeakIndex = left,
            RightPeakIndex = right,
            LeftPeak = grid[left],
            RightPeak = grid[right],
        };
        if (right - left < 2) return Decide(FallbackThreshold, ThresholdMethods.FallbackNoValidPeakInterval, details);

        var valley = left + 1;
        for (var i = left + 2; i < right; i++)
            if (density[i] < density[valley]) valley = i;
        var candidate = grid[valley];
        var suspects = 0;
        foreach (var s in x)
            if (s >= candidate) suspects++;
        var ratio = suspects / (double)n;
        details = details with
        {
            ValleyIndex = valley,
            TauCandidate = candidate,
            SuspectCount = suspects,
            SuspectRatio = ratio,
        };

        if (grid[right] - grid[left] < MinPeakSeparation)
            return Decide(FallbackThreshold, ThresholdMethods.FallbackPeakTooClose, details);
        if (suspects < MinSuspectCount || ratio < MinSuspectRatio)
            return Decide(FallbackThreshold, ThresholdMethods.FallbackTooFewSuspiciousSamples, details);
        return Decide(candidate, ThresholdMethods.KdeValleyReliableBimodal, details);
    }

    /// <summary>The peak whose grid value is nearest <paramref name="target"/> (first one on ties, like numpy's argmin).</summary>
    static int Nearest(int[] peaks, double[] grid, double target)
    {
        var best = peaks[0];
        var bestDistance = Math.Abs(grid[best] - target);
        for (var i = 1; i < peaks.Length; i++)
        {
            var d = Math.Abs(grid[peaks[i]] - target);
            if (d < bestDistance)
            {
                best = peaks[i];
                bestDistance = d;
            }
        }
        return best;
    }
}
