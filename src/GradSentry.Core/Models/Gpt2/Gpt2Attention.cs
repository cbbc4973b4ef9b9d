using GradSentry.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models.Gpt2;

/// <summary>
/// GPT-2 causal self-attention: one <c>c_attn</c> projection to q|k|v, scaled dot-product attention, <c>c_proj</c>.
/// HF stores these Conv1D weights as <c>[in, out]</c>; here they are <see cref="ProbeableLinear"/> <c>[out, in]</c>
/// (the loader transposes).
/// </summary>
public sealed class Gpt2Attention : nn.Module<Tensor, Tensor>
{
    readonly int _heads;
    readonly long _width;
    readonly ProbeableLinear _qkv;
    readonly ProbeableLinear _proj;

    /// <summary>Creates uninitialized projections.</summary>
    public Gpt2Attention(ModelConfig config, ScalarType dtype, Device? device) : base(nameof(Gpt2Attention))
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var (flag, expected) in new[] { ("scale_attn_weights", true), ("scale_attn_by_inverse_layer_idx", false), ("reorder_and_upcast_attn", false) })
            if (config.Raw[flag] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<bool>(out var value) && value != expected)
                throw new InvalidDataException($"GPT-2 with {flag} = {(value ? "true" : "false")} is not supported.");
        _heads = config.NumHeads;
        _width = config.HiddenSize;
        _qkv = new ProbeableLinear(_width, 3 * _width, hasBias: true, dtype, device);
        _proj = new ProbeableLinear(_width, _width, hasBias: true, dtype, device);
        register_module("c_attn", _qkv);
        register_module("c_proj", _proj);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1], d = _width / _heads;
        var qkv = _qkv.call(x).split([_width, _width, _width], 2);
        var q = qkv[0].view(b, l, _heads, d).transpose(1, 2);
        var k = qkv[1].view(b, l, _heads, d).transpose(1, 2);
        var v = qkv[2].view(b, l, _heads, d).transpose(1, 2);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
        return _proj.call(y.transpose(1, 2).reshape(b, l, _width)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same attention with queries only at <paramref name="positions"/> <c>[B, Q]</c> (keys and values from every
    /// position of <paramref name="x"/> <c>[B, L, hidden]</c>) → <c>[B, Q, hidden]</c>. <c>c_attn</c> is one fused
    /// projection, so it still runs at every position; the attention and <c>c_proj</c> run at Q.
    /// </summary>
    public Tensor ForwardAt(Tensor x, Tensor positions)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(positions);
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1], nq = positions.shape[1], d = _width / _heads;
        var qkv = _qkv.call(x).split([_width, _width, _width], 2);
        var q = qkv[0].gather(1, positions.unsqueeze(2).expand(-1, -1, _width)).view(b, nq, _heads, d).transpose(1, 2);
        var k = qkv[1].view(b, l, _heads, d).transpose(1, 2);
        var v = qkv[2].view(b, l, _heads, d).transpose(1, 2);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: CausalMask.At(positions, l));
        return _proj.call(y.transpose(1, 2).reshape(b, nq, _width)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
