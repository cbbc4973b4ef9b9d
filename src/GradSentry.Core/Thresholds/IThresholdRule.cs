namespace GradSentry.Thresholds;

/// <summary>Turns the scores of a whole dataset into one threshold (flag when <c>score &gt; threshold</c>).</summary>
public interface IThresholdRule
{
    /// <summary>Fits the threshold to <paramref name="scores"/>.</summary>
    /// <exception cref="ArgumentException">A score is NaN or infinite (the message names its index), unless the rule is told to ignore them.</exception>
    ThresholdResult Fit(IReadOnlyList<double> scores);
}
