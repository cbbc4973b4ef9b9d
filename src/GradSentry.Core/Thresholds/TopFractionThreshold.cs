using System.Globalization;

namespace GradSentry.Thresholds;

/// <summary>
/// Flags (at most) the top fraction f of rows by score (method <c>top_fraction</c>).
/// </summary>
/// <remarks>
/// With n scores the budget is k = ceil(f · n), computed in decimal so that 0.07 · 100 is 7, not 8.
/// Sorted descending s₀ ≥ s₁ ≥ …, τ = s_k, the (k+1)-th largest score, so exactly the scores strictly above it are
/// flagged: k rows, or fewer when scores tie across the cut. Ties are never split (a strict threshold cannot split
/// equal scores) and never push the count over the budget: the whole tied group at the cut stays unflagged.
/// When k = n (e.g. f = 1), τ is the largest double below the smallest score, so every row is flagged.
/// With no scores, τ = 1 (the largest normalised score) and nothing is flagged.
/// </remarks>
public sealed class TopFractionThreshold : IThresholdRule
{
    /// <summary>A rule flagging the top <paramref name="fraction"/> of rows.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is NaN or not in (0, 1].</exception>
    public TopFractionThreshold(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction,
                string.Format(CultureInfo.InvariantCulture, "The top fraction must be in (0, 1]; got {0}.", fraction));
        Fraction = fraction;
    }

    /// <summary>The fraction f of rows to flag.</summary>
    public double Fraction { get; }

    /// <summary>The row budget ceil(f · <paramref name="count"/>), free of binary rounding (0.07 · 100 = 7).</summary>
    public int TargetCount(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var k = Math.Ceiling((decimal)Fraction * count);
        return (int)Math.Min(k, count);
    }

    /// <inheritdoc />
    public ThresholdResult Fit(IReadOnlyList<double> scores)
    {
        ScoreChecks.RequireFinite(scores, nameof(scores));
        var n = scores.Count;
        var k = TargetCount(n);
        double tau;
        if (n == 0) tau = 1.0;
        else
        {
            var sorted = scores.ToArray();
            Array.Sort(sorted);
            Array.Reverse(sorted);
            tau = k < n ? sorted[k] : Math.BitDecrement(sorted[^1]);
        }
        return new ThresholdResult(tau, ThresholdMethods.TopFraction, new ThresholdDetails
        {
            NumSamples = n,
            FlaggedCount = ScoreChecks.CountAbove(scores, tau),
            Fraction = Fraction,
            TargetCount = k,
        });
    }

    /// <inheritdoc />
    public override string ToString() => "top:" + Fraction.ToString("R", CultureInfo.InvariantCulture);
}
