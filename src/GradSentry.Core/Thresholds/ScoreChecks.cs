using System.Globalization;

namespace GradSentry.Thresholds;

/// <summary>Input validation shared by the threshold rules.</summary>
static class ScoreChecks
{
    /// <summary>Throws when any score is NaN or infinite, naming the first one.</summary>
    public static void RequireFinite(IReadOnlyList<double> scores, string paramName)
    {
        ArgumentNullException.ThrowIfNull(scores, paramName);
        for (var i = 0; i < scores.Count; i++)
        {
            var s = scores[i];
            if (!double.IsFinite(s))
                throw new ArgumentException(
                    string.Format(CultureInfo.InvariantCulture,
                        "Score at index {0} is {1}; thresholds need finite scores. Drop or rescore that row (a non-finite score usually means the loss or gradient overflowed).",
                        i, s.ToString(CultureInfo.InvariantCulture)),
                    paramName);
        }
    }

    /// <summary>Number of <paramref name="scores"/> strictly greater than <paramref name="threshold"/>.</summary>
    public static int CountAbove(IReadOnlyList<double> scores, double threshold)
    {
        var count = 0;
        for (var i = 0; i < scores.Count; i++)
            if (scores[i] > threshold) count++;
        return count;
    }
}
