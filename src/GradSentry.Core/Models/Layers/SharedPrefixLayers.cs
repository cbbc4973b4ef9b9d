using static TorchSharp.torch;

namespace GradSentry.Models.Layers;

/// <summary>
/// Runs the lower layers of a decoder over a batch whose rows may share their first <c>S</c> tokens. The prefix is
/// carried as one row <c>[1, S, hidden]</c> and runs once per layer; the rest of every row, <c>[B, L − S, hidden]</c>,
/// runs with its queries at absolute positions S..L−1 over the layer input <c>[prefix, own suffix]</c>, so rotary
/// phases, learned positions and causal masks stay those of the full sequence. Causal attention makes the prefix's
/// hidden states the same in every row, so the result equals running every row whole.
/// </summary>
public static class SharedPrefixLayers
{
    /// <summary>
    /// Runs layers <c>0..count−1</c> over <paramref name="hidden"/> <c>[B, L, d]</c> and returns the input of layer
    /// <paramref name="count"/> <c>[B, L, d]</c>.
    /// </summary>
    /// <param name="hidden">The embedded batch.</param>
    /// <param name="sharedPrefix">Leading tokens every row shares (0: none; every layer runs every row whole).</param>
    /// <param name="count">How many layers to run.</param>
    /// <param name="layer">Layer i over whole rows <c>[b, l, d]</c> at positions 0..l−1.</param>
    /// <param name="layerAt">Layer i over input <c>[B, L, d]</c> with queries only at the given <c>[B, Q]</c> positions.</param>
    public static Tensor RunLayers(Tensor hidden, int sharedPrefix, int count, Func<int, Tensor, Tensor> layer, Func<int, Tensor, Tensor, Tensor> layerAt)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(layerAt);
        if (sharedPrefix == 0)
        {
            for (var i = 0; i < count; i++) hidden = layer(i, hidden);
            return hidden;
        }
        long batch = hidden.shape[0], length = hidden.shape[1];
        ArgumentOutOfRangeException.ThrowIfNegative(sharedPrefix);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sharedPrefix, length);
        var suffixPositions = arange(sharedPrefix, length, 1L, ScalarType.Int64, hidden.device).unsqueeze(0).expand(batch, -1);
        var prefix = hidden.narrow(0, 0, 1).narrow(1, 0, sharedPrefix);
        var suffix = hidden.narrow(1, sharedPrefix, length - sharedPrefix);
        for (var i = 0; i < count; i++)
        {
            var input = cat([prefix.expand(batch, -1, -1), suffix], 1);
            prefix = layer(i, prefix);
            suffix = layerAt(i, input, suffixPositions);
        }
        return cat([prefix.expand(batch, -1, -1), suffix], 1);
    }
}
