using GradSentry.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradSentry.Models.Gpt2;

/// <summary>GPT-2 stack: <c>wte</c> + <c>wpe</c> → <c>h.N</c> → <c>ln_f</c>.</summary>
public sealed class Gpt2Model : nn.Module<Tensor, Tensor>
{
    readonly TokenEmbedding _positions;
    readonly ModuleList<Gpt2Block> _blocks;
    readonly LayerNorm _lnF;

    /// <summary>Creates an uninitialized stack.</summary>
    public Gpt2Model(ModelConfig config, ScalarType dtype, Device? device) : base(nameof(Gpt2Model))
    {
        ArgumentNullException.ThrowIfNull(config);
        Tokens = new TokenEmbedding(config.VocabSize, config.HiddenSize, dtype, device);
        _positions = new TokenEmbedding(config.MaxPositions, config.HiddenSize, dtype, device);
        _blocks = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(_ => new Gpt2Block(config, dtype, device)).ToArray());
        _lnF = nn.LayerNorm(config.HiddenSize, config.NormEpsilon, device: device, dtype: dtype);
        register_module("wte", Tokens);
        register_module("wpe", _positions);
        register_module("h", _blocks);
        register_module("ln_f", _lnF);
    }

    /// <summary><c>wte</c>.</summary>
    public TokenEmbedding Tokens { get; }

    /// <summary>Final-normed hidden states <c>[B, L, hidden]</c> for token ids <c>[B, L]</c>.</summary>
    public override Tensor forward(Tensor inputIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        using var scope = NewDisposeScope();
        var positions = torch.arange(0L, inputIds.shape[1], 1L, ScalarType.Int64, inputIds.device);
        var h = Tokens.call(inputIds).add(_positions.call(positions));
        foreach (var block in _blocks) h = block.call(h);
        return _lnF.call(h).MoveToOuterDisposeScope();
    }

    /// <summary>Final-normed hidden states <c>[B, Q, hidden]</c> at <paramref name="positions"/> <c>[B, Q]</c> only; see <see cref="ICausalLm.ForwardHiddenAt"/>.</summary>
    public Tensor ForwardAt(Tensor inputIds, Tensor positions, int sharedPrefix = 0)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(positions);
        using var scope = NewDisposeScope();
        var last = _blocks.Count - 1;
        var h = Tokens.call(inputIds).add(_positions.call(torch.arange(0L, inputIds.shape[1], 1L, ScalarType.Int64, inputIds.device)));
        var input = SharedPrefixLayers.RunLayers(h, sharedPrefix, last, (i, x) => _blocks[i].call(x), (i, x, at) => _blocks[i].ForwardAt(x, at));
        return _lnF.call(_blocks[last].ForwardAt(input, positions)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
