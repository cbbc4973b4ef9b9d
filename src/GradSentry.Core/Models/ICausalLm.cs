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
    /// Final-normed hidden states at chosen positions only: <c>[batch, Q, hidden]</c>, row <c>[b, q]</c> being
    /// <see cref="ForwardHidden"/>'s <c>[b, positions[b, q]]</c>, for right-padded <paramref name="inputIds"/>
    /// <c>[batch, length]</c> and <paramref name="positions"/> <c>[batch, Q]</c> (int64, each in <c>[0, length)</c>).
    /// Every layer but the last runs at all positions (the last one needs their keys and values); the last runs its
    /// queries, output projection and MLP at the chosen positions only. The lm_head closed form needs nothing else, and on
    /// a prompt-heavy batch that saves most of a layer.
    /// <para>
    /// When the first <paramref name="sharedPrefix"/> tokens of every row are the same (a template's preamble, a
    /// system prompt), those positions are computed once for the batch instead of once per row: causal attention makes
    /// their hidden states the same in every row. Every query position must lie at or after the shared prefix. Use it
    /// for forward-only work: a gradient through the shared positions would be summed over the rows.
    /// </para>
    /// This default runs the whole model and picks the rows.
    /// </summary>
    Tensor ForwardHiddenAt(Tensor inputIds, Tensor positions, int sharedPrefix = 0)
    {
        ArgumentNullException.ThrowIfNull(positions);
        CausalLmInput.Validate(inputIds, null, Config.VocabSize, null, "");
        CausalLmInput.ValidateQueries(inputIds, positions, sharedPrefix);
        using var scope = NewDisposeScope();
        var hidden = ForwardHidden(inputIds);
        return hidden.gather(1, positions.unsqueeze(2).expand(-1, -1, hidden.shape[2])).MoveToOuterDisposeScope();
    }

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
