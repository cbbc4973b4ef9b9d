using GradSentry.Lab.Data;
using GradSentry.Lab.Training;
using GradSentry.Models;
using GradSentry.Scoring;
using GradSentry.Tests.Support;
using static TorchSharp.torch;

namespace GradSentry.Lab.Tests.TinyModels;

public class BundledModelTests
{
    static string Bundled => Path.Combine(TestPaths.RepoRoot, "samples", "models", "tiny-llama");

    [Fact]
    public void BundledModelIsThePretrainedLlamaWithItsProvenance()
    {
        var readme = File.ReadAllText(Path.Combine(Bundled, "README.md"));
        Assert.Contains("pretrain --data samples/data/nq-open/efficientqa-test.jsonl --rows 0:1369", readme);
        Assert.Contains("train-tokenizer", readme);
        Assert.Contains("CC BY-SA 3.0", readme);
        Assert.InRange(new FileInfo(Path.Combine(Bundled, "model.safetensors")).Length, 1_000_000, 25_000_000);
        using var model = GradSentryModel.Load(Bundled, "cpu");
        Assert.Equal("LlamaForCausalLM", model.Model.Config.Architecture);
        Assert.Equal(4096, model.Model.Config.VocabSize);
        Assert.Equal(4096, model.Tokenizer.VocabSize);
        Assert.Equal(1, model.Tokenizer.BosTokenId);
        Assert.Equal(2, model.Tokenizer.EosTokenId);
        var text = "### Answer: Salzburg, Austria";
        Assert.Equal(text, model.Tokenizer.Decode(model.Tokenizer.EncodeText(text)));
    }

    [Fact]
    public void BundledModelPredictsHeldOutAnswersBetterThanARandomOne()
    {
        // Held-out rows (the design split, never trained on): mean answer loss of the bundled model vs the same
        // architecture with random weights. A trained model is far below ln(V) = 8.3; the random one is near it.
        var pairs = new RowRange(1369, 1400).Take(QaFiles.ReadPairs(Path.Combine(TestPaths.RepoRoot, "samples", "data", "nq-open", "efficientqa-test.jsonl")));
        using var model = GradSentryModel.Load(Bundled, "cpu");
        using var scorer = model.CreateScorer(new ScoringOptions());
        var inputs = pairs.Select((p, i) => { var pr = QaPrompt.Render(p.Question, p.Answer); return new ScoringInput(i, pr.Prompt, pr.Response); }).ToList();
        var trained = scorer.Score(inputs).Average(s => s.Loss);

        using var random = CausalLmArchitectures.Create(model.Model.Config);
        RandomInitializer.Initialize(random, new RandomInitOptions { Seed = 1, Std = 0.02, NormJitterStd = 0, BiasStd = 0 });
        using var randomScorer = new GradSentryScorer(random, model.CreateEncoder(), new ScoringOptions());
        var untrained = randomScorer.Score(inputs).Average(s => s.Loss);
        Assert.True(trained < untrained - 2, $"trained {trained:0.00} vs random {untrained:0.00}");
        Assert.InRange(untrained, 7.5, 9.0);
    }

    [Fact]
    public void TokenizerAndPretrainingAreDeterministic()
    {
        using var dir = TestPaths.NewTempDirectory();
        var data = dir.File("qa.jsonl");
        File.WriteAllLines(data, SyntheticQa.Generate(40, 2).Select(p => System.Text.Json.JsonSerializer.Serialize(new { question = p.Question, answer = p.Answers })));
        string[] Run(string name)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            Assert.Equal(0, LabCli.Run(["train-tokenizer", "--data", data, "--vocab-size", "320", "--output", dir.File("tok-" + name)], output, error));
            Assert.True(0 == LabCli.Run(["pretrain", "--data", data, "--rows", "0:30", "--tokenizer", dir.File("tok-" + name), "--output", dir.File("model-" + name),
                "--steps", "4", "--batch-size", "4", "--hidden", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--intermediate", "24"], output, error), error.ToString());
            return [.. new[] { "tokenizer.json", "model.safetensors", "config.json" }.Select(f => Convert.ToHexString(File.ReadAllBytes(Path.Combine(dir.File("model-" + name), f))))];
        }
        Assert.Equal(Run("a"), Run("b"));
        using var model = GradSentryModel.Load(dir.File("model-a"), "cpu");
        Assert.Equal(320, model.Model.Config.VocabSize);
        Assert.Contains("--rows 0:30", File.ReadAllText(Path.Combine(dir.File("model-a"), "README.md")));
    }

    [Fact]
    public void PretrainingLowersTheTrainingLoss()
    {
        var pairs = SyntheticQa.Generate(32, 9);
        var texts = pairs.Select(p => { var pr = QaPrompt.Render(p.Question, p.Answer); return pr.Prompt + pr.Response; }).ToList();
        var bpe = GradSentry.Lab.Tokenizers.BpeTrainer.Train(texts, 300);
        var sequences = texts.Select(t => new[] { 1 }.Concat(bpe.Encode(t)).Append(2).ToArray()).ToList();
        var shape = new GradSentry.Lab.TinyModels.TinyLlamaShape { Hidden = 16, Layers = 1, Heads = 2, KeyValueHeads = 1, Intermediate = 24 };
        var config = ModelConfig.FromJson(shape.ConfigJson(300), "test");
        using var model = CausalLmArchitectures.Create(config);
        RandomInitializer.Initialize(model, new RandomInitOptions { Seed = 3, NormJitterStd = 0 });
        double Loss()
        {
            using var noGrad = no_grad();
            using var l = CausalLmTraining.Loss(model, sequences, Enumerable.Repeat(1, sequences.Count).ToList(), 3);
            return l.item<float>();
        }
        var before = Loss();
        Pretrainer.Train(model, sequences, 3, new PretrainOptions { Steps = 60, BatchSize = 8, LearningRate = 1e-2, WarmupSteps = 5 });
        var after = Loss();
        Assert.True(after < before - 1, $"before {before:0.00}, after {after:0.00}");
        Assert.All(model.Network.parameters(), p => Assert.False(p.requires_grad));
    }
}
