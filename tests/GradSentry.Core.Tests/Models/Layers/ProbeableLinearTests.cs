using GradSentry.Models;
using GradSentry.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Tests.Models.Layers;

public class ProbeableLinearTests
{
    static ProbeableLinear RandomLinear(long inFeatures, long outFeatures, bool bias, ulong seed = 1)
    {
        var layer = new ProbeableLinear(inFeatures, outFeatures, bias);
        using var generator = new Generator(seed, CPU);
        using var noGrad = no_grad();
        foreach (var (_, p) in layer.named_parameters())
        {
            using var draw = randn(p.shape, generator: generator);
            p.copy_(draw);
        }
        return layer;
    }

    /// <summary>Per-sample loss sum: each sample's mean next-token cross-entropy.</summary>
    static Tensor Loss(ICausalLm model, Tensor ids)
    {
        using var scope = NewDisposeScope();
        var hidden = model.ForwardHidden(ids);
        var length = ids.shape[1];
        var logits = model.Logits(hidden.narrow(1, 0, length - 1));
        var targets = ids.narrow(1, 1, length - 1);
        var losses = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1), reduction: nn.Reduction.None);
        return losses.view(ids.shape[0], length - 1).mean([1]).sum().MoveToOuterDisposeScope();
    }

    [Theory]
    [InlineData("model.layers.1.self_attn.q_proj")]
    [InlineData("model.layers.0.mlp.down_proj")]
    [InlineData("lm_head")]
    public void CaptureGivesTheWeightGradientOfOneSample(string layerName)
    {
        using var model = ModelTestKit.RandomModel("Qwen2ForCausalLM");
        var layer = model.GetLinear(layerName);
        layer.Weight.requires_grad_(true);
        layer.Capture = true;
        using var ids = ModelTestKit.Ids(1, 10);
        using (var loss = Loss(model, ids)) loss.backward();

        using var delta = layer.CapturedOutput!.grad!;
        var x = layer.CapturedInput!;
        using var perSample = delta[0].t().mm(x[0]);          // Σ_t δ_t ⊗ x_t
        using var autograd = layer.Weight.grad!;
        using var scale = autograd.abs().max();
        Assert.True(scale.item<float>() > 0);
        Assert.True(ModelTestKit.MaxAbsDiff(perSample, autograd) <= 1e-5 * Math.Max(1, scale.item<float>()));
        layer.ClearCapture();
        Assert.Null(layer.CapturedInput);
        Assert.Null(layer.CapturedOutput);
    }

    [Fact]
    public void OneBatchedBackwardGivesEachSamplesOwnGradient()
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        var layer = model.GetLinear("model.layers.0.self_attn.v_proj");
        layer.Weight.requires_grad_(true);
        layer.Capture = true;
        using var ids = ModelTestKit.Ids(3, 8, seed: 5);
        using (var loss = Loss(model, ids)) loss.backward();
        using var delta = layer.CapturedOutput!.grad!;
        var x = layer.CapturedInput!.detach();
        layer.Capture = false;
        for (var i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            layer.Weight.grad!.zero_();
            Loss(model, ids[i..(i + 1)]).backward();
            var expected = layer.Weight.grad!;
            var actual = delta[i].t().mm(x[i]);
            Assert.True(ModelTestKit.MaxAbsDiff(actual, expected) <= 1e-5 * Math.Max(1, expected.abs().max().item<float>()), $"sample {i}");
        }
        layer.ClearCapture();
    }

    [Fact]
    public void CaptureIsOffByDefaultAndForwardIsAPlainLinear()
    {
        using var layer = RandomLinear(5, 3, bias: true);
        using var x = randn(2, 4, 5);
        using var y = layer.call(x);
        using var expected = nn.functional.linear(x, layer.Weight, layer.Bias);
        Assert.False(layer.Capture);
        Assert.Null(layer.CapturedInput);
        Assert.Null(layer.CapturedOutput);
        Assert.True(ModelTestKit.SameValues(y, expected));
        Assert.Equal(["weight", "bias"], layer.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void CapturedTensorsOutliveTheCallersDisposeScope()
    {
        using var layer = RandomLinear(4, 2, bias: false);
        layer.Capture = true;
        using (var scope = NewDisposeScope())
        {
            var x = randn(1, 3, 4);
            layer.call(x);
        }
        Assert.Equal([1L, 3L, 4L], layer.CapturedInput!.shape);
        Assert.Equal([1L, 3L, 2L], layer.CapturedOutput!.shape);
        using var expected = nn.functional.linear(layer.CapturedInput, layer.Weight);
        Assert.True(ModelTestKit.SameValues(expected, layer.CapturedOutput));
    }

    [Fact]
    public void LoraForwardAddsScaledLowRankUpdate()
    {
        using var layer = RandomLinear(6, 5, bias: true);
        layer.AttachLora(rank: 2, alpha: 3);
        using (var noGrad = no_grad())
        {
            using var a = randn(2, 6);
            using var b = randn(5, 2);
            layer.LoraA!.Weight.copy_(a);
            layer.LoraB!.Weight.copy_(b);
        }
        Assert.Equal(1.5, layer.LoraScaling);
        Assert.Equal(["weight", "bias", "lora_A.weight", "lora_B.weight"], layer.named_parameters().Select(p => p.name));
        using var x = randn(3, 6);
        using var y = layer.call(x);
        using var expected = x.mm(layer.Weight.t()).add(layer.Bias!).add(x.mm(layer.LoraA!.Weight.t()).mm(layer.LoraB!.Weight.t()).mul(1.5));
        Assert.True(ModelTestKit.MaxAbsDiff(y, expected) <= 1e-5);

        layer.RemoveLora();
        Assert.Equal(["weight", "bias"], layer.named_parameters().Select(p => p.name));
        using var plain = layer.call(x);
        using var linear = nn.functional.linear(x, layer.Weight, layer.Bias);
        Assert.True(ModelTestKit.SameValues(plain, linear));
    }

    [Fact]
    public void RsLoraScalesByTheSquareRootOfTheRank()
    {
        using var layer = RandomLinear(8, 8, bias: false);
        layer.AttachLora(rank: 4, alpha: 8, useRsLora: true);
        Assert.Equal(4.0, layer.LoraScaling);
        Assert.Throws<InvalidOperationException>(() => layer.AttachLora(2, 2));
    }

    [Fact]
    public void WrongInputWidthIsAManagedError()
    {
        using var layer = RandomLinear(4, 2, bias: false);
        using var x = randn(3, 5);
        Assert.Contains("[.., 4]", Assert.Throws<ArgumentException>(() => layer.call(x)).Message);
    }
}
