using GradSentry.Models;
using static TorchSharp.torch;

namespace GradSentry.Tests.Models;

/// <summary>
/// Our modules against a deliberately naive float64 re-implementation of the Hugging Face algorithms, written from the
/// parameters by name with one head at a time (no shared code with the modules): checks head layout, grouped-query
/// mapping (query head h uses KV head h / groups), rotate_half, q/k/v biases, GPT-2's [in, out] Conv1D and q|k|v split.
/// </summary>
public class HandWrittenReferenceTests
{
    static Tensor P(ICausalLm model, string name) =>
        model.Network.named_parameters().Single(p => p.name == name).parameter.detach().to(ScalarType.Float64);

    static Tensor CausalSoftmaxAttention(Tensor q, Tensor k, Tensor v)
    {
        long length = q.shape[0], d = q.shape[1];
        var scores = q.mm(k.t()).div(Math.Sqrt(d));
        var future = ones(length, length, ScalarType.Bool).triu(1);
        return scores.masked_fill(future, double.NegativeInfinity).softmax(-1).mm(v);
    }

    static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        var y = x.mm(weight.t());
        return bias is null ? y : y.add(bias);
    }

    static Tensor RmsNorm(Tensor x, Tensor weight, double eps) =>
        x.div(x.pow(2).mean([-1], keepdim: true).add(eps).sqrt()).mul(weight);

    static Tensor Rotate(Tensor x, double theta)
    {
        long length = x.shape[0], d = x.shape[1];
        var result = zeros_like(x);
        for (var pos = 0; pos < length; pos++)
            for (var i = 0; i < d / 2; i++)
            {
                var angle = pos * Math.Pow(theta, -2.0 * i / d);
                var a = x[pos, i].item<double>();
                var b = x[pos, i + d / 2].item<double>();
                result[pos, i] = a * Math.Cos(angle) - b * Math.Sin(angle);
                result[pos, i + d / 2] = b * Math.Cos(angle) + a * Math.Sin(angle);
            }
        return result;
    }

    static Tensor LlamaReference(ICausalLm model, long[] ids)
    {
        var c = model.Config;
        int hd = c.HeadDim, groups = c.NumHeads / c.NumKeyValueHeads;
        var h = P(model, "model.embed_tokens.weight").index_select(0, tensor(ids));
        for (var l = 0; l < c.NumLayers; l++)
        {
            string Name(string s) => $"model.layers.{l}.{s}";
            Tensor? Bias(string s) => model.Network.named_parameters().Any(p => p.name == Name(s)) ? P(model, Name(s)) : null;
            var x = RmsNorm(h, P(model, Name("input_layernorm.weight")), c.NormEpsilon);
            var q = Linear(x, P(model, Name("self_attn.q_proj.weight")), Bias("self_attn.q_proj.bias"));
            var k = Linear(x, P(model, Name("self_attn.k_proj.weight")), Bias("self_attn.k_proj.bias"));
            var v = Linear(x, P(model, Name("self_attn.v_proj.weight")), Bias("self_attn.v_proj.bias"));
            var heads = new List<Tensor>();
            for (var head = 0; head < c.NumHeads; head++)
            {
                var kv = head / groups;
                heads.Add(CausalSoftmaxAttention(
                    Rotate(q[.., (head * hd)..((head + 1) * hd)], c.RopeTheta),
                    Rotate(k[.., (kv * hd)..((kv + 1) * hd)], c.RopeTheta),
                    v[.., (kv * hd)..((kv + 1) * hd)]));
            }
            h = h.add(Linear(cat(heads, 1), P(model, Name("self_attn.o_proj.weight"))));
            var m = RmsNorm(h, P(model, Name("post_attention_layernorm.weight")), c.NormEpsilon);
            var gate = Linear(m, P(model, Name("mlp.gate_proj.weight")));
            var up = Linear(m, P(model, Name("mlp.up_proj.weight")));
            h = h.add(Linear(gate.mul(gate.sigmoid()).mul(up), P(model, Name("mlp.down_proj.weight"))));
        }
        h = RmsNorm(h, P(model, "model.norm.weight"), c.NormEpsilon);
        return Linear(h, P(model, model.OutputWeightName));
    }

    static Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias, double eps)
    {
        var centered = x.sub(x.mean([-1], keepdim: true));
        return centered.div(centered.pow(2).mean([-1], keepdim: true).add(eps).sqrt()).mul(weight).add(bias);
    }

    static Tensor Gpt2Reference(ICausalLm model, long[] ids)
    {
        var c = model.Config;
        int d = c.HiddenSize, hd = d / c.NumHeads;
        // HF stores Conv1D weights [in, out]: y = x · W + b. Ours are [out, in], so W = oursᵀ.
        Tensor Conv1D(Tensor x, string name) => x.mm(P(model, name + ".weight").t()).add(P(model, name + ".bias"));
        Tensor Ln(Tensor x, string name) => LayerNorm(x, P(model, name + ".weight"), P(model, name + ".bias"), c.NormEpsilon);
        var h = P(model, "transformer.wte.weight").index_select(0, tensor(ids))
            .add(P(model, "transformer.wpe.weight").index_select(0, arange(ids.Length)));
        for (var l = 0; l < c.NumLayers; l++)
        {
            var qkv = Conv1D(Ln(h, $"transformer.h.{l}.ln_1"), $"transformer.h.{l}.attn.c_attn");
            var heads = new List<Tensor>();
            for (var head = 0; head < c.NumHeads; head++)
            {
                var cols = (head * hd)..((head + 1) * hd);
                heads.Add(CausalSoftmaxAttention(qkv[.., cols], qkv[.., d..][.., cols], qkv[.., (2 * d)..][.., cols]));
            }
            h = h.add(Conv1D(cat(heads, 1), $"transformer.h.{l}.attn.c_proj"));
            var f = Conv1D(Ln(h, $"transformer.h.{l}.ln_2"), $"transformer.h.{l}.mlp.c_fc");
            f = f.mul(0.5).mul(f.add(f.pow(3).mul(0.044715)).mul(Math.Sqrt(2 / Math.PI)).tanh().add(1));
            h = h.add(Conv1D(f, $"transformer.h.{l}.mlp.c_proj"));
        }
        return Ln(h, "transformer.ln_f").mm(P(model, model.OutputWeightName).t());
    }

    [Theory]
    [InlineData("LlamaForCausalLM", false)]
    [InlineData("Qwen2ForCausalLM", true)]
    [InlineData("MistralForCausalLM", false)]
    [InlineData("GPT2LMHeadModel", true)]
    [InlineData("GPT2LMHeadModel", false)]
    public void LogitsMatchANaiveFloat64Reference(string architecture, bool tied)
    {
        using var scope = NewDisposeScope();
        using var model = ModelTestKit.RandomModel(architecture, tied);
        long[] ids = [5, 17, 0, 60, 33, 33, 2, 41, 9];
        using var noGrad = no_grad();
        var ours = ModelTestKit.Logits(model, tensor(ids, [1, ids.Length]))[0];
        var reference = architecture == "GPT2LMHeadModel" ? Gpt2Reference(model, ids) : LlamaReference(model, ids);
        var scale = Math.Max(1.0, reference.abs().max().item<double>());
        var error = ModelTestKit.MaxAbsDiff(ours, reference);
        Assert.True(error <= 2e-5 * scale, $"max |Δlogit| {error:E3} at scale {scale:F1}");
    }
}
