using GradSentry.Models.Lora;
using GradSentry.Scoring;
using GradSentry.Tests.Models;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.Scoring;

/// <summary>The probes' gradient bookkeeping: only the target requires grad while probing, flags come back, and a target the loss does not use is a managed error.</summary>
public class GradientTargetScopeTests
{
    [Fact]
    public void ATargetTheForwardPassNeverUsesIsAClearErrorNotANativeAbort()
    {
        using var model = new ToyCausalLm(vocab: 30, hidden: 16, seed: 2);
        using var naive = new NaiveAutogradProbe(model, new ProbeOptions { TargetParameter = "spare.weight", Rank = 2 });
        var error = Assert.Throws<ArgumentException>(() => naive.Probe([new EncodedSample(0, [1, 2, 3, 4], 2, 2)]));
        Assert.Contains("does not depend on 'spare.weight'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryParametersRequiresGradFlagIsRestoredAfterProbing(bool naive)
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        LoraAttacher.AttachFresh(model, ["v_proj"], r: 2, alpha: 4, seed: 1);
        // As after a fine-tune in the same process: the adapters still require grad.
        foreach (var (name, p) in model.Network.named_parameters())
            if (name.Contains("lora_", StringComparison.Ordinal)) p.requires_grad_(true);
        var before = model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.requires_grad);
        var options = new ProbeOptions { TargetParameter = "model.layers.0.mlp.up_proj.weight", Rank = 2, SliceFactor = 2 };
        using var probe = GradientProbes.Create(model, options, naive);
        var spectra = probe.Probe([new EncodedSample(0, [1, 2, 3, 4, 5], 2, 3), new EncodedSample(1, [6, 7, 8], 1, 2)]);
        Assert.All(spectra, s => Assert.True(s.GradientNorm > 0));
        Assert.Equal(before, model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.requires_grad));
    }
}
