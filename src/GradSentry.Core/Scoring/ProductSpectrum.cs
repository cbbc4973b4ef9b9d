using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Scoring;

/// <summary>
/// Exact singular values and norms of per-sample gradients that are sums of outer products,
/// <c>G_b = Σ_t left[b,t] ⊗ right[b,t] = left_bᵀ · right_b</c>, without forming G when it is large.
/// </summary>
/// <remarks>
/// With <c>K = left leftᵀ = U S Uᵀ</c> (an L×L matrix), <c>GᵀG = (√S Uᵀ right)ᵀ (√S Uᵀ right)</c>, so the
/// singular values of G are those of the L×n matrix <c>√S Uᵀ right</c>. Rows of zeros (padding) add
/// nothing to G, so samples of different lengths share one batched call exactly.
/// </remarks>
public static class ProductSpectrum
{
    /// <summary>
    /// The <paramref name="count"/> largest singular values of each <c>left_bᵀ right_b</c>, descending,
    /// zero-padded, in float64. A sample whose factors hold NaN or infinity gets NaN values (the other samples are unaffected).
    /// </summary>
    /// <param name="left">[B, L, m]; converted to float64.</param>
    /// <param name="right">[B, L, n]; converted to float64.</param>
    /// <param name="count">How many values to return per sample.</param>
    public static double[][] TopSingularValues(Tensor left, Tensor right, int count)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        CheckShapes(left, right);
        using var scope = NewDisposeScope();
        var a = left.to(float64);
        var b = right.to(float64);
        var batch = (int)a.shape[0];
        // A sample whose factors went non-finite in the forward pass (an overflow in float16, say) has no spectrum,
        // and eigh/svdvals on it fail for the whole batch: zero it here and report NaN for it below (a row-level error).
        var finite = isfinite(a).flatten(1).all(1).logical_and(isfinite(b).flatten(1).all(1));
        bool[]? finiteRows = null;
        if (!finite.all().item<bool>())
        {
            finiteRows = finite.cpu().data<bool>().ToArray();
            var keep = finite.view(-1, 1, 1);
            a = a.masked_fill(keep.logical_not(), 0.0);
            b = b.masked_fill(keep.logical_not(), 0.0);
        }
        var length = a.shape[1];
        var m = a.shape[2];
        var n = b.shape[2];
        Tensor values;
        if (Math.Min(m, n) <= length)
        {
            // G is no bigger than its rank bound suggests: form it.
            values = linalg.svdvals(a.transpose(1, 2).bmm(b));
        }
        else
        {
            var (s, u) = linalg.eigh(a.bmm(a.transpose(1, 2)));
            var scaled = u.transpose(1, 2) * s.clamp_min(0).sqrt().unsqueeze(2);
            values = linalg.svdvals(scaled.bmm(b));
        }
        var host = values.cpu().data<double>().ToArray();
        var per = (int)values.shape[1];
        var result = new double[batch][];
        for (var i = 0; i < batch; i++)
        {
            result[i] = new double[count];
            if (finiteRows is { } rows && !rows[i])
            {
                Array.Fill(result[i], double.NaN);
                continue;
            }
            for (var j = 0; j < Math.Min(count, per); j++) result[i][j] = Math.Max(host[i * per + j], 0);
        }
        return result;
    }

    /// <summary>
    /// Frobenius norm of each <c>left_bᵀ right_b</c>. Accumulates in the inputs' dtype (at least float32):
    /// the norm is reported, not used by the score, and the full-vocabulary factor is too big to copy to float64.
    /// </summary>
    public static double[] FrobeniusNorms(Tensor left, Tensor right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        CheckShapes(left, right);
        using var scope = NewDisposeScope();
        var dtype = left.dtype == float64 || right.dtype == float64 ? float64 : float32;
        var a = left.to(dtype);
        var b = right.to(dtype);
        var length = a.shape[1];
        Tensor squared;
        if (a.shape[2] * b.shape[2] <= length * length)
        {
            var g = a.transpose(1, 2).bmm(b);
            squared = (g * g).sum([1, 2]);
        }
        else
        {
            // ‖AᵀB‖²_F = tr(BᵀA AᵀB) = Σ (A Aᵀ) ⊙ (B Bᵀ)
            squared = (a.bmm(a.transpose(1, 2)) * b.bmm(b.transpose(1, 2))).sum([1, 2]);
        }
        return squared.clamp_min(0).sqrt().to(float64).cpu().data<double>().ToArray();
    }

    /// <summary>
    /// Frobenius norm of each sample's <c>leftᵀ right</c> when the samples' rows lie one after another in
    /// <paramref name="left"/> <c>[N, m]</c> and <paramref name="right"/> <c>[N, n]</c> (sample b owns the next
    /// <paramref name="rowsPerSample"/>[b] rows). Works on views of the rows, so a wide factor (the full-vocabulary errors)
    /// is never copied into a padded layout. Accumulates as <see cref="FrobeniusNorms(Tensor, Tensor)"/> does.
    /// </summary>
    public static double[] FrobeniusNorms(Tensor left, Tensor right, IReadOnlyList<int> rowsPerSample)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(rowsPerSample);
        if (left.dim() != 2 || right.dim() != 2 || left.shape[0] != right.shape[0] || rowsPerSample.Any(t => t < 1) || rowsPerSample.Sum(t => (long)t) != left.shape[0])
            throw new ArgumentException(
                $"expected [N, m] and [N, n] rows with N = the sum of {rowsPerSample.Count} positive row counts ({rowsPerSample.Sum(t => (long)t)}), " +
                $"got [{string.Join(", ", left.shape)}] and [{string.Join(", ", right.shape)}].");
        using var scope = NewDisposeScope();
        var dtype = left.dtype == float64 || right.dtype == float64 ? float64 : float32;
        var squared = new Tensor[rowsPerSample.Count];
        long start = 0;
        for (var i = 0; i < rowsPerSample.Count; i++)
        {
            var t = rowsPerSample[i];
            var a = left.narrow(0, start, t).to(dtype);
            var b = right.narrow(0, start, t).to(dtype);
            start += t;
            squared[i] = a.shape[1] * b.shape[1] <= (long)t * t
                ? a.t().mm(b).square().sum()
                : a.mm(a.t()).mul(b.mm(b.t())).sum();
        }
        return stack(squared).clamp_min(0).sqrt().to(float64).cpu().data<double>().ToArray();
    }

    static void CheckShapes(Tensor left, Tensor right)
    {
        if (left.dim() != 3 || right.dim() != 3 || left.shape[0] != right.shape[0] || left.shape[1] != right.shape[1])
            throw new ArgumentException(
                $"expected [B, L, m] and [B, L, n] factors, got [{string.Join(", ", left.shape)}] and [{string.Join(", ", right.shape)}].");
    }
}
