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
    /// The sketches of a batch from the per-token rows of its factors: <paramref name="errorRows"/> [N, V] and
    /// <paramref name="hiddenRows"/> [N, d], in <paramref name="tokens"/>' supervised-token order. Each factor is
    /// projected first and only the <c>[N, Size]</c> projections are laid out per sample, so the full-vocabulary rows are
    /// never copied into a padded layout.
    /// </summary>
    public static float[][] Compute(Tensor errorRows, Tensor hiddenRows, Tensor projectVocabulary, Tensor projectHidden, TokenBatch tokens)
    {
        ArgumentNullException.ThrowIfNull(errorRows);
        ArgumentNullException.ThrowIfNull(hiddenRows);
        ArgumentNullException.ThrowIfNull(projectVocabulary);
        ArgumentNullException.ThrowIfNull(projectHidden);
        ArgumentNullException.ThrowIfNull(tokens);
        var n = tokens.PaddedSlot.shape[0];
        if (errorRows.dim() != 2 || hiddenRows.dim() != 2 || errorRows.shape[0] != n || hiddenRows.shape[0] != n
            || projectVocabulary.dim() != 2 || projectHidden.dim() != 2
            || projectVocabulary.shape[1] != errorRows.shape[1] || projectHidden.shape[1] != hiddenRows.shape[1])
            throw new ArgumentException(
                $"expected errors [{n}, V], hidden [{n}, d] and projections [k, V] and [k, d]; got [{string.Join(", ", errorRows.shape)}], " +
                $"[{string.Join(", ", hiddenRows.shape)}], [{string.Join(", ", projectVocabulary.shape)}], [{string.Join(", ", projectHidden.shape)}].");
        using var scope = NewDisposeScope();
        var b = tokens.Count;
        var left = tokens.ToPadded(errorRows.to(float64).mm(projectVocabulary.t()));
        var right = tokens.ToPadded(hiddenRows.to(float64).mm(projectHidden.t()));
        var sketch = left.transpose(1, 2).bmm(right).to(float32).cpu();
        var host = sketch.data<float>().ToArray();
        var cells = Size * Size;
        var result = new float[b][];
        for (var i = 0; i < b; i++)
        {
            result[i] = new float[cells];
            var t = tokens.Samples[i].AnswerTokens;
            for (var c = 0; c < cells; c++) result[i][c] = host[i * cells + c] / t;
        }
        return result;
    }
}
