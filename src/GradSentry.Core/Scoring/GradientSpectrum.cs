namespace GradSentry.Scoring;

/// <summary>What a gradient probe measures for one sample.</summary>
/// <param name="SingularValues">The k largest singular values of the sliced per-sample gradient, descending, zero-padded when its rank is below k.</param>
/// <param name="AnswerTokens">T, the number of supervised tokens (response + EOS).</param>
/// <param name="Loss">Mean next-token cross-entropy over the T supervised positions.</param>
/// <param name="GradientNorm">Frobenius norm of the whole (unsliced) per-sample gradient of the target parameter.</param>
public sealed record GradientSpectrum(double[] SingularValues, int AnswerTokens, double Loss, double GradientNorm)
{
    /// <summary>The gradient sketch (<see cref="GradientSketch"/>) when the probe was asked for one, else null.</summary>
    public float[]? Sketch { get; init; }
}
