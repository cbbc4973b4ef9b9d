using GradSentry.Models;
using GradSentry.Models.Lora;
using GradSentry.Scoring;
using GradSentry.Tests.Models;
using static TorchSharp.torch;

namespace GradSentry.Tests.Scoring;

public class LinearProbeParityTests
{
    static List<EncodedSample> Samples(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var p = random.Next(1, 14);
            var t = random.Next(1, 12);
            return new EncodedSample(i, Enumerable.Range(0, p + t).Select(_ => random.Next(ModelTestKit.Vocab)).ToArray(), p, t);
        }).ToList();
    }

    static void AssertSameSpectra(IReadOnlyList<GradientSpectrum> expected, IReadOnlyList<GradientSpectrum> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var scale = Math.Max(1e-3, expected[i].SingularValues[0]);
            for (var j = 0; j < expected[i].SingularValues.Length; j++)
                Assert.True(Math.Abs(expected[i].SingularValues[j] - actual[i].SingularValues[j]) <= 1e-5 * scale,
                    $"sample {i} value {j}: {expected[i].SingularValues[j]} vs {actual[i].SingularValues[j]}");
            Assert.Equal(SpectralEntropy.Score(expected[i].SingularValues), SpectralEntropy.Score(actual[i].SingularValues), 1e-5);
            Assert.Equal(expected[i].Loss, actual[i].Loss, 1e-5);
            Assert.Equal(expected[i].GradientNorm, actual[i].GradientNorm, 1e-4 * Math.Max(1, expected[i].GradientNorm));
        }
    }

    [Theory]
    [InlineData("LlamaForCausalLM", "model.layers.0.self_attn.q_proj.weight", 1, 4)]
    [InlineData("LlamaForCausalLM", "model.layers.1.mlp.down_proj.weight", 2, 8)]
    [InlineData("Qwen2ForCausalLM", "model.layers.1.self_attn.v_proj.weight", 1, 4)]
    [InlineData("GPT2LMHeadModel", "transformer.h.0.attn.c_attn.weight", 2, 4)]
    public void BatchedBackwardEqualsNaiveAutogradForBaseWeights(string architecture, string target, int slice, int rank)
    {
        using var model = ModelTestKit.RandomModel(architecture);
        var options = new ProbeOptions { TargetParameter = target, SliceFactor = slice, Rank = rank };
        var samples = Samples(9, seed: slice + rank);
        using var batched = new LinearBatchedProbe(model, options);
        using var naive = new NaiveAutogradProbe(model, options);
        AssertSameSpectra(naive.Probe(samples), batched.Probe(samples));
    }

    [Theory]
    [InlineData("lora_B", "model.layers.1.self_attn.v_proj")]
    [InlineData("lora_A", "model.layers.1.self_attn.v_proj")]
    [InlineData("lora_A", "model.layers.1.self_attn.q_proj")] // the last layer's queries run at the answer positions only
    [InlineData("lora_B", "model.layers.0.self_attn.q_proj")]
    [InlineData("lora_A", "lm_head")]                          // applied to the picked rows only
    [InlineData("lora_B", "lm_head")]
    public void BatchedBackwardEqualsNaiveAutogradForLoraFactors(string factor, string module)
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        LoraAttacher.AttachFresh(model, ["q_proj", "v_proj", "lm_head"], r: 4, alpha: 8, seed: 5);
        // A trained adapter has B != 0; with B = 0 the gradient of A is exactly zero.
        using (no_grad())
            foreach (var (name, p) in model.Network.named_parameters())
                if (name.Contains("lora_B", StringComparison.Ordinal)) p.copy_(randn(p.shape, generator: new Generator(11)) * 0.1);
        var options = new ProbeOptions { TargetParameter = $"{module}.{factor}.weight", Rank = 4, SliceFactor = 8 };
        var samples = Samples(8, seed: 3);
        using var batched = new LinearBatchedProbe(model, options);
        using var naive = new NaiveAutogradProbe(model, options);
        AssertSameSpectra(naive.Probe(samples), batched.Probe(samples));
    }

    [Theory]
    [InlineData("GPT2LMHeadModel", true)]
    [InlineData("GPT2LMHeadModel", false)]
    [InlineData("LlamaForCausalLM", false)]
    [InlineData("LlamaForCausalLM", true)]
    [InlineData("Qwen2ForCausalLM", false)]
    [InlineData("MistralForCausalLM", false)]
    public void ClosedFormEqualsNaiveAutogradOnEveryArchitecture(string architecture, bool tied)
    {
        // The closed form runs the last layer at the answer positions only; the naive loop runs the whole model.
        using var model = ModelTestKit.RandomModel(architecture, tied);
        var options = new ProbeOptions { Rank = 4, SliceFactor = 2 };
        var samples = Samples(10, seed: 21);
        using var fast = new LmHeadClosedFormProbe(model, options);
        using var naive = new NaiveAutogradProbe(model, options);
        AssertSameSpectra(naive.Probe(samples), fast.Probe(samples));
    }

    [Theory]
    [InlineData("LlamaForCausalLM")]
    [InlineData("Qwen2ForCausalLM")]
    [InlineData("GPT2LMHeadModel")]
    public void ASharedTemplatePrefixRunsOnceAndScoresStayThoseOfTheNaiveLoop(string architecture)
    {
        using var model = ModelTestKit.RandomModel(architecture);
        var random = new Random(4);
        var template = Enumerable.Range(0, 12).Select(_ => random.Next(ModelTestKit.Vocab)).ToArray();
        var samples = Enumerable.Range(0, 9).Select(i =>
        {
            var p = template.Length + random.Next(1, 8);
            var t = random.Next(1, 10);
            var ids = template.Concat(Enumerable.Range(0, p + t - template.Length).Select(_ => random.Next(ModelTestKit.Vocab))).ToArray();
            return new EncodedSample(i, ids, p, t);
        }).ToList();
        using (var tokens = TokenBatch.Create(samples, TorchSharp.torch.CPU))
            Assert.True(tokens.SharedPrefix >= template.Length, $"shared prefix {tokens.SharedPrefix}");
        var options = new ProbeOptions { Rank = 4, SliceFactor = 2 };
        using var fast = new LmHeadClosedFormProbe(model, options);
        using var naive = new NaiveAutogradProbe(model, options);
        AssertSameSpectra(naive.Probe(samples), fast.Probe(samples));
    }

    [Theory]
    [InlineData("model.layers.0.mlp.up_proj.weight")]
    [InlineData("model.layers.1.self_attn.q_proj.weight")]
    public void OutputLayerGroupsGiveTheSameGradientsAsTheWholeBatch(string target)
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        var samples = Samples(9, seed: 12);
        var options = new ProbeOptions { TargetParameter = target, Rank = 4, SliceFactor = 2 };
        using var whole = new LinearBatchedProbe(model, options);
        using var grouped = new LinearBatchedProbe(model, options with { MaxOutputElements = ModelTestKit.Vocab * 7 });
        AssertSameSpectra(whole.Probe(samples), grouped.Probe(samples));
        using var naive = new NaiveAutogradProbe(model, options);
        AssertSameSpectra(naive.Probe(samples), grouped.Probe(samples));
    }

    [Fact]
    public void MixedLengthBatchEqualsSamplesScoredOneByOne()
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        var options = new ProbeOptions { TargetParameter = "model.layers.0.mlp.up_proj.weight", Rank = 4, SliceFactor = 2 };
        var samples = Samples(7, seed: 9);
        using var probe = new LinearBatchedProbe(model, options);
        var together = probe.Probe(samples);
        AssertSameSpectra(samples.Select(s => probe.Probe([s])[0]).ToList(), together);
    }

    [Fact]
    public void LoraAWithZeroBIsReportedAsAZeroGradientNotScored()
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        LoraAttacher.AttachFresh(model, ["q_proj"], r: 4, alpha: 8, seed: 5);
        var options = new ScoringOptions { Probe = new ProbeOptions { TargetParameter = "model.layers.0.self_attn.q_proj.lora_A.weight", Rank = 4 } };
        static IReadOnlyList<int> Bytes(string s) => s.Select(c => c % ModelTestKit.Vocab).ToArray();
        using var scorer = new GradSentryScorer(model, new SampleEncoder(Bytes, null, 1, false, 64), options);
        var score = scorer.Score([new ScoringInput(0, "question", "answer")]).Single();
        Assert.False(score.IsScored);
        Assert.Contains("zero", score.Error);
    }

    [Fact]
    public void ANonLinearTargetIsRejectedWithItsName()
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        var error = Assert.Throws<ArgumentException>(() => new LinearBatchedProbe(model, new ProbeOptions { TargetParameter = "model.norm.weight", Rank = 2 }));
        Assert.Contains("model.norm.weight", error.Message);
    }
}
