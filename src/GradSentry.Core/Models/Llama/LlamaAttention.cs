using GradSentry.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models.Llama;

/// <summary>
/// Causal self-attention with rotary positions and grouped-query heads (<c>num_key_value_heads</c> ≤
/// <c>num_attention_heads</c>): <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c> (optional biases), <c>o_proj</c>.
/// </summary>
public sealed class LlamaAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly int _heads;
    readonly int _kvHeads;
    readonly int _headDim;
    readonly ProbeableLinear _q;
    readonly ProbeableLinear _k;
    readonly ProbeableLinear _v;
    readonly ProbeableLinear _o;

    /// <summary>Creates uninitialized projections for <paramref name="config"/>.</summary>
    public LlamaAttention(ModelConfig config, LlamaFamilyOptions family, ScalarType dtype, Device? device) : base(nameof(LlamaAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(family);
        _heads = config.NumHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _q = new ProbeableLinear(config.HiddenSize, _heads * _headDim, family.QkvBias, dtype, device);
        _k = new ProbeableLinear(config.HiddenSize, _kvHeads * _headDim, family.QkvBias, dtype, device);
        _v = new ProbeableLinear(config.HiddenSize, _kvHeads * _headDim, family.QkvBias, dtype, device);
        _o = new ProbeableLinear(_heads * _headDim, config.HiddenSize, family.OutputBias, dtype, device);
        register_module("q_proj", _q);
        register_module("k_proj", _k);
        register_module("v_proj", _v);
        register_module("o_proj", _o);
    }

    /// <summary><paramref name="x"/> <c>[B, L, hidden]</c> with rotary tables <c>[L, head_dim]</c> → <c>[B, L, hidden]</c>.</summary>
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1];
        var q = _q.call(x).view(b, l, _heads, _headDim).transpose(1, 2);
        var k = _k.call(x).view(b, l, _kvHeads, _headDim).transpose(1, 2);
        var v = _v.call(x).view(b, l, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        k = RepeatKv(k, _heads / _kvHeads);
        v = RepeatKv(v, _heads / _kvHeads);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
        y = y.transpose(1, 2).reshape(b, l, _heads * _headDim);
        return _o.call(y).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same attention with queries only at <paramref name="positions"/> <c>[B, Q]</c>: <paramref name="x"/>
    /// <c>[B, L, hidden]</c> gives the keys and values, <paramref name="queries"/> <c>[B, Q, hidden]</c> (x's rows at those
    /// positions) the queries, each rotated for its own position and masked causally by it → <c>[B, Q, hidden]</c>.
    /// </summary>
    public Tensor ForwardAt(Tensor x, Tensor queries, Tensor cos, Tensor sin, Tensor positions)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(cos);
        ArgumentNullException.ThrowIfNull(sin);
        ArgumentNullException.ThrowIfNull(positions);
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1], nq = positions.shape[1];
        var q = _q.call(queries).view(b, nq, _heads, _headDim).transpose(1, 2);
        var k = _k.call(x).view(b, l, _kvHeads, _headDim).transpose(1, 2);
        var v = _v.call(x).view(b, l, _kvHeads, _headDim).transpose(1, 2);
        var flat = positions.reshape(-1);
        q = RotaryEmbedding.Apply(q, cos.index_select(0, flat).view(b, 1, nq, _headDim), sin.index_select(0, flat).view(b, 1, nq, _headDim));
        k = RotaryEmbedding.Apply(k, cos, sin);
        k = RepeatKv(k, _heads / _kvHeads);
        v = RepeatKv(v, _heads / _kvHeads);
        var mask = CausalMask.At(positions, l);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: mask);
        y = y.transpose(1, 2).reshape(b, nq, _heads * _headDim);
        return _o.call(y).MoveToOuterDisposeScope();
    }

    /// <summary>HF <c>repeat_kv</c>: <c>[B, kv, L, d]</c> → <c>[B, kv·groups, L, d]</c>, each KV head repeated for its group.</summary>
    static Tensor RepeatKv(Tensor x, int groups)
    {
        if (groups == 1) return x;
        long b = x.shape[0], kv = x.shape[1], l = x.shape[2], d = x.shape[3];
        return x.unsqueeze(2).expand(b, kv, groups, l, d).reshape(b, kv * groups, l, d);
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
