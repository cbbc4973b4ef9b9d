using System.Globalization;

namespace GradSentry.Thresholds;

/// <summary>A user-given threshold τ in [0, 1]; rows with <c>score &gt; τ</c> are flagged (method <c>fixed</c>).</summary>
public sealed class FixedThreshold : IThresholdRule
{
    /// <summary>A fixed threshold.</summary>
    /// <param name="value">τ in [0, 1].</param>
    /// <param name="method">The method name reports show (a detector's own rule names itself).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or outside [0, 1] (scores are normalised entropies).</exception>
    public FixedThreshold(double value, string method = ThresholdMethods.Fixed)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        _method = method;
        if (!(value >= 0 && value <= 1))
            throw new ArgumentOutOfRangeException(nameof(value), value,
                string.Format(CultureInfo.InvariantCulture, "A fixed threshold must be a number in [0, 1] (scores are normalised entropies); got {0}.", value));
        Value = value;
    }

    /// <summary>The threshold τ.</summary>
    public double Value { get; }

    readonly string _method;

    /// <inheritdoc />
    public ThresholdResult Fit(IReadOnlyList<double> scores)
    {
        ScoreChecks.RequireFinite(scores, nameof(scores));
        return new ThresholdResult(Value, _method, new ThresholdDetails
        {
            NumSamples = scores.Count,
            FlaggedCount = ScoreChecks.CountAbove(scores, Value),
        });
    }

    /// <inheritdoc />
    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}
