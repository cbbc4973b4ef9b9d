using GradSentry.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models.Llama;

/// <summary>Pre-norm block: <c>h = x + self_attn(input_layernorm(x))</c>, then <c>h + mlp(post_attention_layernorm(h))</c>.</summary>
public sealed class LlamaDecoderLayer : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly RmsNorm _inputNorm;
    readonly LlamaAttention _attention;
    readonly RmsNorm _postAttentionNorm;
    readonly LlamaMlp _mlp;

    /// <summary>Creates an uninitialized block.</summary>
    public LlamaDecoderLayer(ModelConfig config, LlamaFamilyOptions family, ScalarType dtype, Device? device) : base(nameof(LlamaDecoderLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        _inputNorm = new RmsNorm(config.HiddenSize, config.NormEpsilon, dtype, device);
        _attention = new LlamaAttention(config, family, dtype, device);
        _postAttentionNorm = new RmsNorm(config.HiddenSize, config.NormEpsilon, dtype, device);
        _mlp = new LlamaMlp(config, dtype, device);
        register_module("self_attn", _attention);
        register_module("mlp", _mlp);
        register_module("input_layernorm", _inputNorm);
        register_module("post_attention_layernorm", _postAttentionNorm);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var h = x.add(_attention.call(_inputNorm.call(x), cos, sin));
        return h.add(_mlp.call(_postAttentionNorm.call(h))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The block's output at <paramref name="positions"/> <c>[B, Q]</c> only (see <see cref="ICausalLm.ForwardHiddenAt"/>):
    /// keys and values from every position of <paramref name="x"/> <c>[B, L, hidden]</c> → <c>[B, Q, hidden]</c>.
    /// </summary>
    public Tensor ForwardAt(Tensor x, Tensor cos, Tensor sin, Tensor positions)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(positions);
        using var scope = NewDisposeScope();
        var rows = positions.unsqueeze(2).expand(-1, -1, x.shape[2]);
        var normed = _inputNorm.call(x);
        var h = x.gather(1, rows).add(_attention.ForwardAt(normed, normed.gather(1, rows), cos, sin, positions));
        return h.add(_mlp.call(_postAttentionNorm.call(h))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
