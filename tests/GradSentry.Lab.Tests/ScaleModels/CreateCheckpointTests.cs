using System.Text.Json.Nodes;
using GradSentry.Lab;
using GradSentry.Lab.ScaleModels;
using GradSentry.Scoring;
using GradSentry.Tests.Support;
using static TorchSharp.torch;

namespace GradSentry.Lab.Tests.ScaleModels;

public class CreateCheckpointTests
{
    static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = LabCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void TheTinyShapeIsWrittenAsBf16ShardsWithAnIndexAndATokenizerOfTheModelsVocabularyAndScans()
    {
        using var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir.Path, "m");
        var (code, output, error) = Run("create-checkpoint", "--shape", "tiny-sharded", "--output", model, "--shard-mb", "0.1",
            "--tokenizer", Path.Combine(TestPaths.RepoRoot, "samples", "models", "tiny-llama"));
        Assert.True(code == 0, error);
        Assert.Contains("wrote", output, StringComparison.Ordinal);

        var shape = ModelShape.Find("tiny-sharded");
        var shards = Directory.GetFiles(model, "*.safetensors").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.True(shards.Count >= 3, string.Join(", ", shards));
        Assert.All(shards, s => Assert.Matches($"^model-0000[1-9]-of-0000{shards.Count}\\.safetensors$", s));
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "model.safetensors.index.json")))!;
        var map = index["weight_map"]!.AsObject();
        Assert.Equal(shape.Tensors().Select(t => t.Name), map.Select(kv => kv.Key));
        Assert.Equal(shape.Parameters * 2, index["metadata"]!["total_size"]!.GetValue<long>());
        var vocab = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "tokenizer.json")))!["model"]!["vocab"]!.AsObject();
        var ids = vocab.Select(kv => kv.Value!.GetValue<int>()).ToHashSet();
        Assert.Equal(shape.Vocabulary, ids.Count);
        Assert.Equal(shape.Vocabulary - 1, ids.Max());

        using var loaded = GradSentryModel.Load(model, "cpu", ScalarType.BFloat16);
        Assert.Equal(shape.Vocabulary, loaded.Model.Config.VocabSize);
        Assert.True(loaded.Model.Config.TieWordEmbeddings);
        var parameters = loaded.Model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        for (var i = 0; i < shape.Tensors().Count; i++)
        {
            using var expected = RandomCheckpoint.Values(shape, seed: 1, i);
            Assert.True(parameters[shape.Tensors()[i].Name].bytes.SequenceEqual(expected.bytes), shape.Tensors()[i].Name);
        }
        using var scorer = loaded.CreateScorer(new ScoringOptions());
        var scores = scorer.Score([new ScoringInput(0, "who wrote the iliad", "Homer"), new ScoringInput(1, "capital of france", "Paris, on the Seine")]).ToList();
        Assert.All(scores, s => Assert.True(s.IsScored && double.IsFinite(s.Score), s.Error));
    }

    [Fact]
    public void TheRandomWeightsAreSeededAndSpreadAsDocumented()
    {
        var shape = ModelShape.Find("tiny-sharded");
        using var a = RandomCheckpoint.Values(shape, seed: 1, 1); // a norm weight
        using var b = RandomCheckpoint.Values(shape, seed: 1, 2);
        using var c = RandomCheckpoint.Values(shape, seed: 2, 2);
        using var again = RandomCheckpoint.Values(shape, seed: 1, 2);
        Assert.Equal(1f, a.to(ScalarType.Float32).mean().item<float>());
        Assert.True(b.bytes.SequenceEqual(again.bytes));
        Assert.False(b.bytes.SequenceEqual(c.bytes));
        Assert.InRange(b.to(ScalarType.Float32).std().item<float>(), 0.018f, 0.022f);
    }

    [Fact]
    public void AnUnknownShapeIsAUsageErrorListingTheKnownOnes()
    {
        using var dir = TestPaths.NewTempDirectory();
        var (code, _, error) = Run("create-checkpoint", "--shape", "gpt-5", "--output", dir.Path);
        Assert.Equal(LabCli.UsageError, code);
        Assert.Contains("llama-3.2-1b, llama-2-7b", error, StringComparison.Ordinal);
    }
}
