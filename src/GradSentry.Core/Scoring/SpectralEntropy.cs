namespace GradSentry.Scoring;

/// <summary>The GradSentry reference score: normalised entropy of the top-k singular values.</summary>
public static class SpectralEntropy
{
    /// <summary>Singular values are clamped here before normalising, as the reference does.</summary>
    public const double SingularValueFloor = 1e-12;

    /// <summary>
    /// <c>p = max(s, 1e-12) / Σ max(s, 1e-12)</c>, <c>H = -Σ p ln p</c>, score <c>= H / (ln k + 1e-12)</c>, in [0, 1].
    /// </summary>
    /// <param name="singularValues">The k largest singular values (exactly k of them).</param>
    /// <exception cref="ArgumentException">Fewer than 2 values, or a negative or non-finite value.</exception>
    public static double Score(ReadOnlySpan<double> singularValues)
    {
        var k = singularValues.Length;
        if (k < 2) throw new ArgumentException("the spectral entropy needs at least 2 singular values (k >= 2).", nameof(singularValues));
        double sum = 0;
        for (var i = 0; i < k; i++)
        {
            var s = singularValues[i];
            if (!double.IsFinite(s) || s < 0)
                throw new ArgumentException($"singular value {i} is {s}; the gradient is not finite.", nameof(singularValues));
            sum += Math.Max(s, SingularValueFloor);
        }
        double entropy = 0;
        for (var i = 0; i < k; i++)
        {
            var p = Math.Max(singularValues[i], SingularValueFloor) / sum;
            entropy -= p * Math.Log(p);
        }
        return entropy / (Math.Log(k) + 1e-12);
    }

    /// <summary>
    /// The most a sample with <paramref name="answerTokens"/> supervised tokens can score: the
    /// gradient has rank at most T, so the entropy is at most <c>ln(min(T, k)) / ln k</c>.
    /// </summary>
    public static double RankCeiling(int answerTokens, int k) =>
        answerTokens <= 1 ? 0 : Math.Log(Math.Min(answerTokens, k)) / (Math.Log(k) + 1e-12);
}
