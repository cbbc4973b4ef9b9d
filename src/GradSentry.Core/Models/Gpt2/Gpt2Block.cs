using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradSentry.Models.Gpt2;

/// <summary>GPT-2 block: <c>h = x + attn(ln_1(x))</c>, then <c>h + mlp(ln_2(h))</c>.</summary>
public sealed class Gpt2Block : nn.Module<Tensor, Tensor>
{
    readonly LayerNorm _ln1;
    readonly Gpt2Attention _attention;
    readonly LayerNorm _ln2;
    readonly Gpt2Mlp _mlp;

    /// <summary>Creates an uninitialized block.</summary>
    public Gpt2Block(ModelConfig config, ScalarType dtype, Device? device) : base(nameof(Gpt2Block))
    {
        ArgumentNullException.ThrowIfNull(config);
        _ln1 = nn.LayerNorm(config.HiddenSize, config.NormEpsilon, device: device, dtype: dtype);
        _attention = new Gpt2Attention(config, dtype, device);
        _ln2 = nn.LayerNorm(config.HiddenSize, config.NormEpsilon, device: device, dtype: dtype);
        _mlp = new Gpt2Mlp(config, dtype, device);
        register_module("ln_1", _ln1);
        register_module("attn", _attention);
        register_module("ln_2", _ln2);
        register_module("mlp", _mlp);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x.add(_attention.call(_ln1.call(x)));
        return h.add(_mlp.call(_ln2.call(h))).MoveToOuterDisposeScope();
    }

    /// <summary>The block's output at <paramref name="positions"/> <c>[B, Q]</c> only (see <see cref="ICausalLm.ForwardHiddenAt"/>) → <c>[B, Q, hidden]</c>.</summary>
    public Tensor ForwardAt(Tensor x, Tensor positions)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(positions);
        using var scope = NewDisposeScope();
        var h = x.gather(1, positions.unsqueeze(2).expand(-1, -1, x.shape[2])).add(_attention.ForwardAt(_ln1.call(x), positions));
        return h.add(_mlp.call(_ln2.call(h))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
