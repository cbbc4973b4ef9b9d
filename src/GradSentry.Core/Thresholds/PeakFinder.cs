namespace GradSentry.Thresholds;

/// <summary>The prominence of one peak and the bases it was measured from (scipy's <c>peak_prominences</c>).</summary>
/// <param name="Prominence">Height of the peak above the higher of its two bases.</param>
/// <param name="LeftBase">Index of the lowest point left of the peak before a higher point or the edge.</param>
/// <param name="RightBase">Index of the lowest point right of the peak before a higher point or the edge.</param>
public readonly record struct PeakProminence(double Prominence, int LeftBase, int RightBase);

/// <summary>
/// A faithful port of <c>scipy.signal.find_peaks</c> with only the <c>prominence</c> condition
/// (<c>_local_maxima_1d</c> and <c>_peak_prominences</c> with <c>wlen=None</c>).
/// </summary>
/// <remarks>
/// A peak is a sample strictly higher than its left neighbour and strictly higher than the first
/// different sample to its right. A flat top (plateau) yields one peak at its middle index, rounded
/// down (<c>(left + right) / 2</c>). The first and last samples are never peaks, and a plateau that
/// runs into the last sample is not a peak.
/// </remarks>
public static class PeakFinder
{
    /// <summary>Indices of all local maxima, plateaus reported at their (rounded-down) middle.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> contains NaN.</exception>
    public static int[] LocalMaxima(ReadOnlySpan<double> x)
    {
        RequireNoNaN(x);
        var peaks = new List<int>();
        var iMax = x.Length - 1;
        var i = 1;
        while (i < iMax)
        {
            if (x[i - 1] < x[i])
            {
                var ahead = i + 1;
                while (ahead < iMax && x[ahead] == x[i]) ahead++;
                if (x[ahead] < x[i])
                {
                    peaks.Add((i + ahead - 1) / 2);
                    i = ahead;
                }
            }
            i++;
        }
        return [.. peaks];
    }

    /// <summary>The prominence of each of <paramref name="peaks"/> in <paramref name="x"/>, searching the whole signal (no window).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A peak index is outside <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> contains NaN.</exception>
    public static PeakProminence[] Prominences(ReadOnlySpan<double> x, ReadOnlySpan<int> peaks)
    {
        RequireNoNaN(x);
        var result = new PeakProminence[peaks.Length];
        for (var n = 0; n < peaks.Length; n++)
        {
            var peak = peaks[n];
            if (peak < 0 || peak >= x.Length)
                throw new ArgumentOutOfRangeException(nameof(peaks), peak, $"Peak index {peak} is outside a signal of length {x.Length}.");
            var height = x[peak];

            var leftBase = peak;
            var leftMin = height;
            for (var i = peak; i >= 0 && x[i] <= height; i--)
            {
                if (x[i] < leftMin)
                {
                    leftMin = x[i];
                    leftBase = i;
                }
            }

            var rightBase = peak;
            var rightMin = height;
            for (var i = peak; i < x.Length && x[i] <= height; i++)
            {
                if (x[i] < rightMin)
                {
                    rightMin = x[i];
                    rightBase = i;
                }
            }

            result[n] = new PeakProminence(height - Math.Max(leftMin, rightMin), leftBase, rightBase);
        }
        return result;
    }

    /// <summary>
    /// <c>find_peaks(x, prominence=minProminence)</c>: the local maxima whose prominence is at least
    /// <paramref name="minProminence"/>, in increasing index order.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> contains NaN, or <paramref name="minProminence"/> is NaN.</exception>
    public static int[] FindPeaks(ReadOnlySpan<double> x, double minProminence)
    {
        if (double.IsNaN(minProminence))
            throw new ArgumentException("The minimum prominence must be a number.", nameof(minProminence));
        var candidates = LocalMaxima(x);
        var prominences = Prominences(x, candidates);
        var kept = new List<int>(candidates.Length);
        for (var i = 0; i < candidates.Length; i++)
            if (minProminence <= prominences[i].Prominence) kept.Add(candidates[i]);
        return [.. kept];
    }

    static void RequireNoNaN(ReadOnlySpan<double> x)
    {
        foreach (var v in x)
            if (double.IsNaN(v)) throw new ArgumentException("The signal contains NaN.", nameof(x));
    }
}
