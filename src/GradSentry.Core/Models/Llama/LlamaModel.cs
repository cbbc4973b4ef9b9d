using GradSentry.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradSentry.Models.Llama;

/// <summary>The decoder stack: <c>embed_tokens</c> → <c>layers.N</c> → <c>norm</c>; rotary tables computed once per forward.</summary>
public sealed class LlamaModel : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<LlamaDecoderLayer> _layers;
    readonly RmsNorm _norm;
    readonly RotaryEmbedding _rotary;

    /// <summary>Creates an uninitialized stack.</summary>
    public LlamaModel(ModelConfig config, LlamaFamilyOptions family, ScalarType dtype, Device? device) : base(nameof(LlamaModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        EmbedTokens = new TokenEmbedding(config.VocabSize, config.HiddenSize, dtype, device);
        _layers = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(_ => new LlamaDecoderLayer(config, family, dtype, device)).ToArray());
        _norm = new RmsNorm(config.HiddenSize, config.NormEpsilon, dtype, device);
        _rotary = new RotaryEmbedding(config.HeadDim, config.RopeTheta, config.Raw["rope_scaling"] as System.Text.Json.Nodes.JsonObject);
        register_module("embed_tokens", EmbedTokens);
        register_module("layers", _layers);
        register_module("norm", _norm);
    }

    /// <summary><c>embed_tokens</c>.</summary>
    public TokenEmbedding EmbedTokens { get; }

    /// <summary>Final-normed hidden states <c>[B, L, hidden]</c> for token ids <c>[B, L]</c>.</summary>
    public override Tensor forward(Tensor inputIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        using var scope = NewDisposeScope();
        var h = EmbedTokens.call(inputIds);
        var (cos, sin) = _rotary.Tables(inputIds.shape[1], h.dtype, h.device);
        foreach (var layer in _layers) h = layer.call(h, cos, sin);
        return _norm.call(h).MoveToOuterDisposeScope();
    }

    /// <summary>Final-normed hidden states <c>[B, Q, hidden]</c> at <paramref name="positions"/> <c>[B, Q]</c> only; see <see cref="ICausalLm.ForwardHiddenAt"/>.</summary>
    public Tensor ForwardAt(Tensor inputIds, Tensor positions, int sharedPrefix = 0)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(positions);
        using var scope = NewDisposeScope();
        var last = _layers.Count - 1;
        var h = EmbedTokens.call(inputIds);
        var (cos, sin) = _rotary.Tables(inputIds.shape[1], h.dtype, h.device);
        // Whole rows (the shared prefix's row included) use the tables' first l positions.
        var input = SharedPrefixLayers.RunLayers(h, sharedPrefix, last,
            (i, x) => _layers[i].call(x, cos.narrow(0, 0, x.shape[1]), sin.narrow(0, 0, x.shape[1])),
            (i, x, at) => _layers[i].ForwardAt(x, cos, sin, at));
        return _norm.call(_layers[last].ForwardAt(input, cos, sin, positions)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
