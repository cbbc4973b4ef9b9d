namespace GradSentry.Thresholds;

/// <summary>
/// The pieces of the reference's Gaussian kernel density estimate: Silverman bandwidth, the numpy
/// <c>linspace</c> grid and the density on that grid. Public so reports can draw the same KDE curve.
/// </summary>
public static class GaussianKde
{
    /// <summary>Kernel terms further than this many bandwidths away underflow to exactly 0 (<c>exp(-800)</c>) and are skipped.</summary>
    const double CutoffBandwidths = 40;

    /// <summary>
    /// Silverman's rule as the reference writes it: <c>1.06 · std(ddof=1) · n^(-1/5)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two samples.</exception>
    public static double SilvermanBandwidth(ReadOnlySpan<double> samples)
    {
        if (samples.Length < 2)
            throw new ArgumentException("Silverman's bandwidth needs at least two samples.", nameof(samples));
        return 1.06 * StandardDeviation(samples, ddof: 1) * Math.Pow(samples.Length, -0.2);
    }

    /// <summary>
    /// Standard deviation with <paramref name="ddof"/> delta degrees of freedom (numpy's <c>std</c>):
    /// 0 for the population, 1 for the sample estimate. Two-pass, so it is 0 for equal values only when
    /// the mean is exact; callers that need "all equal" test min == max.
    /// </summary>
    /// <exception cref="ArgumentException">Not more than <paramref name="ddof"/> samples, or a negative <paramref name="ddof"/>.</exception>
    public static double StandardDeviation(ReadOnlySpan<double> samples, int ddof)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ddof);
        if (samples.Length <= ddof)
            throw new ArgumentException($"The standard deviation with ddof={ddof} needs more than {ddof} samples.", nameof(samples));
        var sum = 0.0;
        foreach (var s in samples) sum += s;
        var mean = sum / samples.Length;
        var squares = 0.0;
        foreach (var s in samples)
        {
            var d = s - mean;
            squares += d * d;
        }
        return Math.Sqrt(squares / (samples.Length - ddof));
    }

    /// <summary>
    /// <paramref name="count"/> evenly spaced points from <paramref name="start"/> to <paramref name="stop"/>
    /// inclusive, computed as numpy's <c>linspace</c> does (<c>i · step + start</c>, last point exactly <paramref name="stop"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ArgumentException">A bound is not finite.</exception>
    public static double[] Linspace(double start, double stop, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!double.IsFinite(start) || !double.IsFinite(stop))
            throw new ArgumentException("Grid bounds must be finite.", nameof(start));
        var grid = new double[count];
        if (count == 0) return grid;
        if (count == 1)
        {
            grid[0] = start;
            return grid;
        }
        var step = (stop - start) / (count - 1);
        for (var i = 0; i < count; i++)
            grid[i] = step == 0 ? i / (double)(count - 1) * (stop - start) + start : i * step + start;
        grid[^1] = stop;
        return grid;
    }

    /// <summary>
    /// The Gaussian KDE of <paramref name="samples"/> with bandwidth <paramref name="bandwidth"/> evaluated at
    /// each of <paramref name="points"/>: <c>1/(n·h·√(2π)) · Σ exp(-((x - xᵢ)/h)² / 2)</c>. Cost is
    /// O(n log n + points · neighbours) because terms beyond 40 bandwidths (exactly 0 in double) are skipped.
    /// </summary>
    /// <exception cref="ArgumentException">No samples, a non-finite sample or point, or a bandwidth that is not positive and finite.</exception>
    public static double[] Density(ReadOnlySpan<double> samples, double bandwidth, ReadOnlySpan<double> points)
    {
        if (samples.IsEmpty) throw new ArgumentException("A density needs at least one sample.", nameof(samples));
        if (!(bandwidth > 0) || !double.IsFinite(bandwidth))
            throw new ArgumentOutOfRangeException(nameof(bandwidth), bandwidth, "The bandwidth must be positive and finite.");
        var sorted = samples.ToArray();
        foreach (var s in sorted)
            if (!double.IsFinite(s)) throw new ArgumentException("Samples must be finite.", nameof(samples));
        Array.Sort(sorted);
        var norm = 1.0 / (sorted.Length * bandwidth * Math.Sqrt(2 * Math.PI));
        var reach = CutoffBandwidths * bandwidth;
        var density = new double[points.Length];
        for (var p = 0; p < points.Length; p++)
        {
            var x = points[p];
            if (!double.IsFinite(x)) throw new ArgumentException("Points must be finite.", nameof(points));
            var from = LowerBound(sorted, x - reach);
            var sum = 0.0;
            for (var i = from; i < sorted.Length && sorted[i] <= x + reach; i++)
            {
                var u = (x - sorted[i]) / bandwidth;
                sum += Math.Exp(-0.5 * u * u);
            }
            density[p] = sum * norm;
        }
        return density;
    }

    /// <summary>First index whose value is at least <paramref name="value"/>.</summary>
    static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (sorted[mid] < value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
