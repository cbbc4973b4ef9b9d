using static TorchSharp.torch;

namespace GradSentry.Models.Layers;

/// <summary>Causal attention masks for queries at arbitrary positions (<c>is_causal</c> assumes queries at 0..L-1).</summary>
public static class CausalMask
{
    /// <summary>
    /// <c>[B, 1, Q, L]</c> boolean, true where key position ≤ the query's position <paramref name="positions"/>
    /// <c>[B, Q]</c>: the mask of <c>scaled_dot_product_attention</c> (true = attend).
    /// </summary>
    public static Tensor At(Tensor positions, long length)
    {
        ArgumentNullException.ThrowIfNull(positions);
        using var scope = NewDisposeScope();
        var keys = arange(0L, length, 1L, ScalarType.Int64, positions.device).view(1, 1, 1, length);
        return keys.le(positions.unsqueeze(1).unsqueeze(3)).MoveToOuterDisposeScope();
    }
}
