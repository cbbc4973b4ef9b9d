using GradSentry.Models;
using GradSentry.Models.Gpt2;
using GradSentry.Models.Llama;
using GradSentry.Tests.Support;
using static TorchSharp.torch;

namespace GradSentry.Tests.Models;

public class ModelRoundTripTests
{
    public static TheoryData<string, bool> Architectures => new()
    {
        { "LlamaForCausalLM", false },
        { "LlamaForCausalLM", true },
        { "MistralForCausalLM", false },
        { "Qwen2ForCausalLM", false },
        { "Qwen2ForCausalLM", true },
        { "GPT2LMHeadModel", true },
        { "GPT2LMHeadModel", false },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void SavedAndReloadedModelGivesIdenticalLogits(string architecture, bool tied)
    {
        using var dir = TestPaths.NewTempDirectory();
        using var original = ModelTestKit.RandomModel(architecture, tied);
        CausalLmWriter.Save(original, dir.Path);
        using var loaded = CausalLmLoader.Load(dir.Path);
        using var ids = ModelTestKit.Ids(2, 9);
        using var expected = ModelTestKit.Logits(original, ids);
        using var actual = ModelTestKit.Logits(loaded, ids);
        Assert.Equal(0.0, ModelTestKit.MaxAbsDiff(expected, actual));
        Assert.Equal(architecture, loaded.Config.Architecture);
        Assert.Equal(original.OutputWeightName, loaded.OutputWeightName);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void PaddedBatchEqualsPerSampleOutputs(string architecture, bool tied)
    {
        using var model = ModelTestKit.RandomModel(architecture, tied);
        int[] lengths = [7, 3, 11];
        var longest = lengths.Max();
        using var batch = ModelTestKit.Ids(lengths.Length, longest, seed: 11);
        using var mask = zeros([lengths.Length, longest], ScalarType.Int64);
        for (var i = 0; i < lengths.Length; i++) mask[i, ..lengths[i]] = 1;
        using var noGrad = no_grad();
        using var batched = model.ForwardHidden(batch, mask);
        using var unmasked = model.ForwardHidden(batch);
        Assert.True(ModelTestKit.SameValues(batched, unmasked));
        for (var i = 0; i < lengths.Length; i++)
        {
            using var scope = NewDisposeScope();
            var single = model.ForwardHidden(batch[i, ..lengths[i]].unsqueeze(0));
            var hiddenError = ModelTestKit.MaxAbsDiff(batched[i, ..lengths[i]], single[0]);
            Assert.True(hiddenError <= 1e-5, $"sample {i}: max |Δhidden| {hiddenError:E3}");
            // Logits reach |z| ~ 20 here (lm_head std 1): compare them at 1e-5 relative to their scale.
            var expected = model.Logits(single[0]);
            var logitError = ModelTestKit.MaxAbsDiff(model.Logits(batched[i, ..lengths[i]]), expected);
            var scale = Math.Max(1.0, expected.abs().max().item<float>());
            Assert.True(logitError <= 1e-5 * scale, $"sample {i}: max |Δlogit| {logitError:E3} at scale {scale:F1}");
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void TiedModelsHaveNoLmHeadAndUseTheEmbedding(string architecture, bool tied)
    {
        using var model = ModelTestKit.RandomModel(architecture, tied);
        var names = model.Network.named_parameters().Select(p => p.name).ToList();
        var embedding = architecture == "GPT2LMHeadModel" ? "transformer.wte.weight" : "model.embed_tokens.weight";
        Assert.Contains(embedding, names);
        Assert.Equal(!tied, names.Contains("lm_head.weight"));
        Assert.Equal(tied ? embedding : "lm_head.weight", model.OutputWeightName);
        var output = model.Network.named_parameters().Single(p => p.name == model.OutputWeightName).parameter;
        Assert.Equal(output.Handle, model.OutputWeight.Handle);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ModuleTreeHoldsOnlyHuggingFaceNames(string architecture, bool tied)
    {
        // TorchSharp registers C# fields by name unless RegisterComponents is overridden; that would add "_q" next to "q_proj".
        using var model = ModelTestKit.RandomModel(architecture, tied);
        var modules = model.Network.named_modules().Select(m => m.name).ToList();
        Assert.All(modules, name => Assert.DoesNotContain(name.Split('.'), s => s.StartsWith('_') || s.StartsWith('<')));
        var parameters = model.Network.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(parameters.Count, parameters.Distinct().Count());
        Assert.Equal(parameters.Order(), model.Network.state_dict().Keys.Order());
    }

    [Fact]
    public void LlamaParameterNamesAreHuggingFaceNames()
    {
        using var model = ModelTestKit.RandomModel("Qwen2ForCausalLM");
        var names = model.Network.named_parameters().Select(p => p.name).ToHashSet();
        string[] expected =
        [
            "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight",
            "model.layers.1.self_attn.q_proj.weight", "model.layers.1.self_attn.q_proj.bias",
            "model.layers.1.self_attn.k_proj.bias", "model.layers.1.self_attn.v_proj.bias", "model.layers.1.self_attn.o_proj.weight",
            "model.layers.1.mlp.gate_proj.weight", "model.layers.1.mlp.up_proj.weight", "model.layers.1.mlp.down_proj.weight",
            "model.layers.1.input_layernorm.weight", "model.layers.1.post_attention_layernorm.weight",
        ];
        Assert.All(expected, n => Assert.Contains(n, names));
        Assert.DoesNotContain("model.layers.1.self_attn.o_proj.bias", names);
        Assert.Equal(2 + 2 * 12 + 1, names.Count);
    }

    [Fact]
    public void Gpt2CheckpointStoresConv1DWeightsAsInputByOutput()
    {
        using var dir = TestPaths.NewTempDirectory();
        using var model = ModelTestKit.RandomModel("GPT2LMHeadModel", tied: true);
        CausalLmWriter.Save(model, dir.Path);
        using var checkpoint = GradSentry.Checkpoints.CheckpointDirectory.Open(dir.Path);
        Assert.Equal([32L, 96L], checkpoint["transformer.h.0.attn.c_attn.weight"].Shape);
        Assert.Equal([32L, 128L], checkpoint["transformer.h.1.mlp.c_fc.weight"].Shape);
        Assert.Equal([128L, 32L], checkpoint["transformer.h.1.mlp.c_proj.weight"].Shape);
        Assert.Equal([96L, 32L], model.GetLinear("transformer.h.0.attn.c_attn").Weight.shape);
        using var stored = checkpoint.Load("transformer.h.0.attn.c_attn.weight", ScalarType.Float32, CPU);
        Assert.True(ModelTestKit.SameValues(stored.t(), model.GetLinear("transformer.h.0.attn.c_attn").Weight));
        Assert.False(checkpoint.Contains("lm_head.weight"));
    }

    [Fact]
    public void ModulesAreOurArchitectureTypes()
    {
        using var llama = ModelTestKit.RandomModel("MistralForCausalLM");
        using var gpt2 = ModelTestKit.RandomModel("GPT2LMHeadModel", tied: true);
        Assert.IsType<LlamaForCausalLM>(llama);
        Assert.IsType<Gpt2LMHeadModel>(gpt2);
        Assert.Equal(24, ((LlamaForCausalLM)llama).Family.SlidingWindow);
    }

    [Fact]
    public void MistralRefusesInputsLongerThanItsSlidingWindow()
    {
        using var model = ModelTestKit.RandomModel("MistralForCausalLM");
        using var ok = ModelTestKit.Ids(1, 24);
        using var tooLong = ModelTestKit.Ids(1, 25);
        using var logits = ModelTestKit.Logits(model, ok);
        var error = Assert.Throws<ArgumentException>(() => model.ForwardHidden(tooLong));
        Assert.Contains("sliding", error.Message);
    }

    [Fact]
    public void Gpt2RefusesInputsLongerThanItsPositionTable()
    {
        using var model = ModelTestKit.RandomModel("GPT2LMHeadModel", tied: true);
        using var tooLong = ModelTestKit.Ids(1, 41);
        Assert.Contains("n_positions", Assert.Throws<ArgumentException>(() => model.ForwardHidden(tooLong)).Message);
    }

    [Fact]
    public void LeftPaddedMaskOutOfRangeIdsAndWrongShapesAreRefused()
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        using var ids = ModelTestKit.Ids(2, 4);
        using var left = tensor(new long[] { 0, 1, 1, 1, 1, 1, 1, 1 }, [2, 4]);
        using var notBinary = tensor(new long[] { 1, 2, 1, 1, 1, 1, 1, 1 }, [2, 4]);
        using var shortMask = ones([2, 3], ScalarType.Int64);
        using var outOfRange = tensor(new long[] { 0, ModelTestKit.Vocab }, [1, 2]);
        using var flat = tensor(new long[] { 1, 2, 3 });
        using var floats = ones([1, 3]);
        Assert.Contains("right-padded", Assert.Throws<ArgumentException>(() => model.ForwardHidden(ids, left)).Message);
        Assert.Contains("0 or 1", Assert.Throws<ArgumentException>(() => model.ForwardHidden(ids, notBinary)).Message);
        Assert.Contains("shape", Assert.Throws<ArgumentException>(() => model.ForwardHidden(ids, shortMask)).Message);
        Assert.Contains("[0, 61)", Assert.Throws<ArgumentException>(() => model.ForwardHidden(outOfRange)).Message);
        Assert.Contains("[batch, length]", Assert.Throws<ArgumentException>(() => model.ForwardHidden(flat)).Message);
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => model.ForwardHidden(floats)).Message);
    }

    [Fact]
    public void RandomInitializationIsDeterministicPerSeed()
    {
        using var a = ModelTestKit.RandomModel("LlamaForCausalLM", seed: 5);
        using var b = ModelTestKit.RandomModel("LlamaForCausalLM", seed: 5);
        using var c = ModelTestKit.RandomModel("LlamaForCausalLM", seed: 6);
        var pa = a.Network.named_parameters().ToList();
        var pb = b.Network.named_parameters().ToList();
        var pc = c.Network.named_parameters().ToList();
        Assert.All(pa.Zip(pb), p => Assert.True(ModelTestKit.SameValues(p.First.parameter, p.Second.parameter), p.First.name));
        Assert.False(ModelTestKit.SameValues(pa[0].parameter, pc[0].parameter));
        using var norm = a.Network.named_parameters().Single(p => p.name == "model.norm.weight").parameter.mean();
        Assert.InRange(norm.item<float>(), 0.9f, 1.1f);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void HalfPrecisionComputeStaysCloseToFloat32(ScalarType dtype)
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path, "Qwen2ForCausalLM");
        using var full = CausalLmLoader.Load(dir.Path);
        using var half = CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { ComputeDType = dtype });
        Assert.Equal(dtype, half.OutputWeight.dtype);
        using var ids = ModelTestKit.Ids(2, 6);
        using var expected = ModelTestKit.Logits(full, ids);
        using var actual = ModelTestKit.Logits(half, ids);
        Assert.Equal(dtype, actual.dtype);
        using var scale = expected.abs().max();
        Assert.True(ModelTestKit.MaxAbsDiff(expected, actual) <= 0.05 * scale.item<float>());
    }
}
