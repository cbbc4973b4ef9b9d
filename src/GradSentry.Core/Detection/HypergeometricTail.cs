namespace GradSentry.Detection;

/// <summary>
/// Upper tail of the hypergeometric distribution, <c>P(X ≥ k)</c> for <c>X</c> the number of marked items among
/// <c>draws</c> drawn without replacement from <c>population</c> items of which <c>marked</c> are marked: the p-value
/// of a one-sided Fisher exact test. Computed in log space from a table of log-factorials, so it neither overflows nor
/// underflows to a wrong order of magnitude.
/// </summary>
public sealed class HypergeometricTail
{
    readonly double[] _logFactorial;

    /// <summary>Prepares log-factorials up to <paramref name="population"/>.</summary>
    public HypergeometricTail(int population)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        _logFactorial = new double[population + 1];
        for (var i = 2; i <= population; i++) _logFactorial[i] = _logFactorial[i - 1] + Math.Log(i);
    }

    /// <summary>The largest population this instance handles.</summary>
    public int Population => _logFactorial.Length - 1;

    /// <summary>Natural log of <c>P(X ≥ k)</c>; 0 when <paramref name="k"/> is at or below the smallest possible value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The counts are impossible.</exception>
    public double LogUpperTail(int population, int marked, int draws, int k)
    {
        if (population > Population || population < 0 || marked < 0 || marked > population || draws < 0 || draws > population)
            throw new ArgumentOutOfRangeException(nameof(population), $"impossible counts: population {population}, marked {marked}, draws {draws}.");
        var low = Math.Max(0, draws - (population - marked));
        var high = Math.Min(draws, marked);
        if (k <= low) return 0;
        if (k > high) return double.NegativeInfinity;
        // log-sum-exp over the tail terms, largest first (the pmf decreases past the mode, and k is past it when it matters).
        var terms = new double[high - k + 1];
        for (var x = k; x <= high; x++) terms[x - k] = LogPmf(population, marked, draws, x);
        var max = terms.Max();
        var sum = terms.Sum(t => Math.Exp(t - max));
        return Math.Min(0, max + Math.Log(sum));
    }

    double LogPmf(int n, int k, int m, int x) =>
        LogChoose(k, x) + LogChoose(n - k, m - x) - LogChoose(n, m);

    double LogChoose(int n, int r) => _logFactorial[n] - _logFactorial[r] - _logFactorial[n - r];
}
