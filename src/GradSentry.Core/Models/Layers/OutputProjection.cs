using static TorchSharp.torch;

namespace GradSentry.Models.Layers;

/// <summary>The output layer every architecture shares: <c>lm_head</c> when it exists, else the tied embedding.</summary>
internal static class OutputProjection
{
    /// <summary>Logits <c>[.., vocab]</c> for <paramref name="hidden"/> <c>[.., hiddenSize]</c>.</summary>
    public static Tensor Logits(ProbeableLinear? lmHead, Tensor tiedWeight, long hiddenSize, Tensor hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        // Through the module, so capture and a LoRA pair on lm_head take part.
        if (lmHead is not null) return lmHead.call(hidden);
        if (hidden.dim() < 1 || hidden.shape[^1] != hiddenSize)
            throw new ArgumentException($"expected hidden states [.., {hiddenSize}], got [{string.Join(", ", hidden.shape)}].", nameof(hidden));
        return nn.functional.linear(hidden, tiedWeight);
    }
}
