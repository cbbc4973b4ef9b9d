using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models;

/// <summary>
/// A decoder-only language model as the gradient probes need it: final-normed hidden states and
/// the output projection, kept apart so the lm_head closed form can apply the projection only at
/// the answer positions.
/// </summary>
public interface ICausalLm : IDisposable
{
    /// <summary>The parsed <c>config.json</c>.</summary>
    ModelConfig Config { get; }

    /// <summary>The module tree; parameter names equal Hugging Face names (e.g. <c>model.layers.0.self_attn.q_proj.weight</c>).</summary>
    nn.Module Network { get; }

    /// <summary>
    /// Final-normed hidden states <c>[batch, length, hidden]</c> for right-padded <paramref name="inputIds"/>
    /// <c>[batch, length]</c> (int64). <paramref name="attentionMask"/> (<c>[batch, length]</c>, 1 = token,
    /// 0 = padding) is optional: with right padding and causal attention, real positions never see padding.
    /// </summary>
    Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask = null);

    /// <summary>
    /// The <c>[vocab, hidden]</c> output projection: <c>lm_head.weight</c>, or the token embedding when
    /// <c>tie_word_embeddings</c> is set. Logits = hidden · OutputWeightᵀ, plus the LoRA update when a pair is attached to
    /// <c>lm_head</c> (<see cref="Logits"/> includes it).
    /// </summary>
    Tensor OutputWeight { get; }

    /// <summary>Name of the parameter behind <see cref="OutputWeight"/> (<c>lm_head.weight</c> or the embedding's name).</summary>
    string OutputWeightName { get; }

    /// <summary>
    /// Logits <c>[.., vocab]</c> for hidden states <c>[.., hidden]</c> through the output layer: the <c>lm_head</c>
    /// module (so its capture and any LoRA pair on it take part), or <c>hidden · OutputWeightᵀ</c> when tied.
    /// </summary>
    Tensor Logits(Tensor hidden);
}
