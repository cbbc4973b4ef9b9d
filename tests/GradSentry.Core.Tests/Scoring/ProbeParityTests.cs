using GradSentry.Scoring;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.Scoring;

public class ProbeParityTests
{
    static List<EncodedSample> RandomSamples(int count, int vocab, int seed, int maxPrompt = 9, int maxAnswer = 12)
    {
        var random = new Random(seed);
        var list = new List<EncodedSample>();
        for (var i = 0; i < count; i++)
        {
            var p = random.Next(1, maxPrompt + 1);
            var t = random.Next(1, maxAnswer + 1);
            var ids = Enumerable.Range(0, p + t).Select(_ => random.Next(vocab)).ToArray();
            list.Add(new EncodedSample(i, ids, p, t));
        }
        return list;
    }

    [Theory]
    [InlineData(false, 2, 4)]
    [InlineData(false, 1, 8)]
    [InlineData(true, 4, 3)]
    public void ClosedFormEqualsNaiveAutogradOnRandomModelsAndData(bool tied, int slice, int rank)
    {
        using var model = new ToyCausalLm(vocab: 48, hidden: 24, seed: 7 + slice, tied: tied);
        var options = new ProbeOptions { Rank = rank, SliceFactor = slice };
        var samples = RandomSamples(12, 48, seed: slice);
        using var fast = new LmHeadClosedFormProbe(model, options);
        using var naive = new NaiveAutogradProbe(model, options);

        var batched = fast.Probe(samples);
        var oracle = naive.Probe(samples);

        for (var i = 0; i < samples.Count; i++)
        {
            Assert.Equal(oracle[i].AnswerTokens, batched[i].AnswerTokens);
            Assert.Equal(oracle[i].Loss, batched[i].Loss, 1e-5);
            Assert.Equal(oracle[i].GradientNorm, batched[i].GradientNorm, 1e-5);
            for (var j = 0; j < rank; j++)
                Assert.Equal(oracle[i].SingularValues[j], batched[i].SingularValues[j], 1e-6);
            Assert.Equal(SpectralEntropy.Score(oracle[i].SingularValues), SpectralEntropy.Score(batched[i].SingularValues), 1e-5);
        }
    }

    [Fact]
    public void BatchCompositionAndPaddingDoNotChangeAnyScore()
    {
        using var model = new ToyCausalLm(vocab: 40, hidden: 32, seed: 3);
        using var probe = new LmHeadClosedFormProbe(model, new ProbeOptions { Rank = 4, SliceFactor = 2 });
        var samples = RandomSamples(10, 40, seed: 11, maxPrompt: 20, maxAnswer: 15);

        var together = probe.Probe(samples);
        for (var i = 0; i < samples.Count; i++)
        {
            var alone = probe.Probe([samples[i]])[0];
            Assert.Equal(SpectralEntropy.Score(alone.SingularValues), SpectralEntropy.Score(together[i].SingularValues), 1e-5);
            Assert.Equal(alone.Loss, together[i].Loss, 1e-5);
        }
        var reversed = probe.Probe(samples.AsEnumerable().Reverse().ToList());
        for (var i = 0; i < samples.Count; i++)
            Assert.Equal(SpectralEntropy.Score(together[i].SingularValues), SpectralEntropy.Score(reversed[samples.Count - 1 - i].SingularValues), 1e-5);
    }

    [Theory]
    [InlineData(1L)]        // every sample alone
    [InlineData(40L * 20)]  // groups of up to 20 answer tokens at vocabulary 40
    public void OutputLayerGroupsBoundMemoryWithoutChangingAnyResult(long maxOutputElements)
    {
        using var model = new ToyCausalLm(vocab: 40, hidden: 32, seed: 8);
        var samples = RandomSamples(11, 40, seed: 5, maxPrompt: 12, maxAnswer: 15);
        using var whole = new LmHeadClosedFormProbe(model, new ProbeOptions { Rank = 4, SliceFactor = 2 }, sketch: true);
        using var grouped = new LmHeadClosedFormProbe(model, new ProbeOptions { Rank = 4, SliceFactor = 2, MaxOutputElements = maxOutputElements }, sketch: true);
        var expected = whole.Probe(samples);
        var actual = grouped.Probe(samples);
        for (var i = 0; i < samples.Count; i++)
        {
            Assert.Equal(expected[i].AnswerTokens, actual[i].AnswerTokens);
            Assert.Equal(expected[i].Loss, actual[i].Loss, 1e-6);
            Assert.Equal(expected[i].GradientNorm, actual[i].GradientNorm, 1e-6);
            for (var j = 0; j < 4; j++) Assert.Equal(expected[i].SingularValues[j], actual[i].SingularValues[j], 1e-6);
            for (var j = 0; j < expected[i].Sketch!.Length; j++) Assert.Equal(expected[i].Sketch![j], actual[i].Sketch![j], 1e-5f);
        }
    }

    [Fact]
    public void RankAboveTheBlockIsAClearError()
    {
        using var model = new ToyCausalLm(vocab: 40, hidden: 32, seed: 3);
        var error = Assert.Throws<ArgumentException>(() => new LmHeadClosedFormProbe(model, new ProbeOptions { Rank = 16, SliceFactor = 8 }));
        Assert.Contains("[5 x 4]", error.Message);
    }

    [Fact]
    public void UnknownTargetListsCloseNames()
    {
        using var model = new ToyCausalLm(vocab: 40, hidden: 32, seed: 3);
        var error = Assert.Throws<ArgumentException>(() => new NaiveAutogradProbe(model, new ProbeOptions { TargetParameter = "mix.weigth", Rank = 2 }));
        Assert.Contains("mix.weight", error.Message);
    }
}
