using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Scoring;

/// <summary>
/// A fixed random sketch of a per-sample lm_head gradient <c>G = (1/T) Eᵀ H</c> (E: softmax − onehot rows, V wide;
/// H: final-normed hidden states, d wide): <c>S = R_V G R_dᵀ</c> with Gaussian <c>R_V</c> (<see cref="Size"/> × V) and
/// <c>R_d</c> (<see cref="Size"/> × d) of variance <c>1/Size</c>, so that <c>⟨S_i, S_j⟩</c> estimates the Frobenius inner
/// product <c>⟨G_i, G_j⟩</c>. Computed from the factors (<c>(E R_Vᵀ)ᵀ (H R_dᵀ) / T</c>) without forming G. The
/// projections depend only on V, d and <see cref="Seed"/>, so sketches from different runs are comparable.
/// </summary>
public static class GradientSketch
{
    /// <summary>Rows and columns of a sketch (<c>Size²</c> values per row).</summary>
    public const int Size = 32;

    /// <summary>Seed of the projections.</summary>
    public const long Seed = 20260526;

    /// <summary>The projections <c>R_V</c> [<see cref="Size"/>, V] and <c>R_d</c> [<see cref="Size"/>, d], float64, on <paramref name="device"/>.</summary>
    public static (Tensor Vocabulary, Tensor Hidden) Projections(long vocab, long hidden, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        using var generator = new Generator((ulong)Seed, CPU);
        var scale = 1 / Math.Sqrt(Size);
        var rv = randn([Size, vocab], float32, CPU, generator: generator).to(float64).mul_(scale);
        var rd = randn([Size, hidden], float32, CPU, generator: generator).to(float64).mul_(scale);
        return (rv.to(device), rd.to(device));
    }

    /// <summary>
    /// The sketches of a batch: <paramref name="errors"/> [B, Tmax, V] and <paramref name="hidden"/> [B, Tmax, d]
    /// zero-padded per-sample factors; <paramref name="answerTokens"/> are the T of each sample.
    /// </summary>
    public static float[][] Compute(Tensor errors, Tensor hidden, Tensor projectVocabulary, Tensor projectHidden, IReadOnlyList<int> answerTokens)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(projectVocabulary);
        ArgumentNullException.ThrowIfNull(projectHidden);
        ArgumentNullException.ThrowIfNull(answerTokens);
        if (errors.dim() != 3 || hidden.dim() != 3 || errors.shape[0] != hidden.shape[0] || errors.shape[1] != hidden.shape[1]
            || projectVocabulary.dim() != 2 || projectHidden.dim() != 2
            || projectVocabulary.shape[1] != errors.shape[2] || projectHidden.shape[1] != hidden.shape[2] || errors.shape[0] != answerTokens.Count)
            throw new ArgumentException(
                $"expected errors [B, T, V], hidden [B, T, d], projections [k, V] and [k, d] and B answer lengths; got [{string.Join(", ", errors.shape)}], " +
                $"[{string.Join(", ", hidden.shape)}], [{string.Join(", ", projectVocabulary.shape)}], [{string.Join(", ", projectHidden.shape)}], {answerTokens.Count}.");
        using var scope = NewDisposeScope();
        var b = (int)errors.shape[0];
        var tmax = errors.shape[1];
        var left = errors.to(float64).reshape(-1, errors.shape[2]).mm(projectVocabulary.t()).reshape(b, tmax, -1);
        var right = hidden.to(float64).reshape(-1, hidden.shape[2]).mm(projectHidden.t()).reshape(b, tmax, -1);
        var sketch = left.transpose(1, 2).bmm(right).to(float32).cpu();
        var host = sketch.data<float>().ToArray();
        var cells = Size * Size;
        var result = new float[b][];
        for (var i = 0; i < b; i++)
        {
            result[i] = new float[cells];
            var t = answerTokens[i];
            for (var c = 0; c < cells; c++) result[i][c] = host[i * cells + c] / t;
        }
        return result;
    }
}
