using GradSentry.Scoring;
using GradSentry.Tests.Support;
using static TorchSharp.torch;

namespace GradSentry.Tests.Scoring;

/// <summary>The batched perplexity ONION uses, against a direct one-text computation with the bundled model.</summary>
public class PromptPerplexityTests
{
    static string BundledModel => Path.Combine(TestPaths.RepoRoot, "samples", "models", "tiny-llama");

    /// <summary>exp(mean over t ≥ 1 of −log softmax(logits[t − 1])[ids[t]]), one text, one forward pass, logits on the host.</summary>
    static double Direct(GradSentryModel model, int[] ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length], int64);
        var logits = model.Model.Logits(model.Model.ForwardHidden(input)).to(float64).squeeze(0);
        var vocab = (int)logits.shape[1];
        var host = logits.data<double>().ToArray();
        double sum = 0;
        for (var t = 1; t < ids.Length; t++)
        {
            var row = host.AsSpan((t - 1) * vocab, vocab);
            var max = double.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, v);
            double z = 0;
            foreach (var v in row) z += Math.Exp(v - max);
            sum += -(row[ids[t]] - max - Math.Log(z));
        }
        return Math.Exp(sum / (ids.Length - 1));
    }

    [Fact]
    public void BatchedPerplexityEqualsTheDirectComputation()
    {
        using var model = GradSentryModel.Load(BundledModel, "cpu");
        var encoder = model.CreateEncoder();
        var measure = new PromptPerplexity(model.Model, model.Tokenizer.EncodeText, encoder.BosTokenId, encoder.MaxLength, batchSize: 3);
        string[] texts = ["who wrote the song let it be", "who wrote the song let it be cf", "where is the eiffel tower located in paris france", "a", "", "when did the second world war end"];
        var batched = measure.Compute(texts);
        Assert.Equal(2, measure.ForwardPasses); // five measurable texts, three per pass
        for (var i = 0; i < texts.Length; i++)
        {
            var ids = measure.Ids(texts[i]);
            if (ids.Length < 2)
            {
                Assert.True(double.IsNaN(batched[i]), $"'{texts[i]}' has no predicted token but measured {batched[i]}");
                continue;
            }
            var direct = Direct(model, ids);
            Assert.True(Math.Abs(batched[i] - direct) <= 1e-4 * direct, $"'{texts[i]}': batched {batched[i]} vs direct {direct}");
            Assert.True(batched[i] >= 1, $"'{texts[i]}': perplexity {batched[i]} below 1");
        }
        // The bundled tokenizer adds BOS, so even one word is measurable.
        Assert.Equal(encoder.BosTokenId, measure.Ids("a")[0]);
    }

    [Fact]
    public void ALongTextKeepsItsLastTokensAndBos()
    {
        using var model = GradSentryModel.Load(BundledModel, "cpu");
        var encoder = model.CreateEncoder();
        var measure = new PromptPerplexity(model.Model, model.Tokenizer.EncodeText, encoder.BosTokenId, maxLength: 8);
        var text = string.Join(' ', Enumerable.Repeat("who wrote the song", 10));
        var ids = measure.Ids(text);
        Assert.Equal(8, ids.Length);
        Assert.Equal(encoder.BosTokenId, ids[0]);
        var all = model.Tokenizer.EncodeText(text);
        Assert.Equal(all.Skip(all.Count - 7), ids.Skip(1));
        Assert.True(double.IsFinite(measure.Compute([text])[0]));
    }
}
