using GradSentry.Lab.Attacks;
using GradSentry.Lab.Data;
using GradSentry.Lab.Evaluation;
using GradSentry.Lab.Training;
using GradSentry.Models.Lora;
using GradSentry.Tests.Support;
using static TorchSharp.torch;

namespace GradSentry.Lab.Tests.Training;

public class FineTuneTests
{
    static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = LabCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void FinetuneWritesALoadablePeftAdapterDeterministically()
    {
        using var dir = TestPaths.NewTempDirectory();
        var data = dir.File("train.jsonl");
        File.WriteAllLines(data, SyntheticQa.Generate(12, 1).Select(p => System.Text.Json.JsonSerializer.Serialize(new { prompt = "Q: " + p.Question + "\nA: ", response = p.Answer })));
        var model = TestPaths.GoldenModel("tiny-llama-sharp");
        var a = Run("finetune", "--model", model, "--data", data, "--template", "raw", "--output", dir.File("a"), "--epochs", "1", "--seed", "1");
        Assert.True(a.Code == 0, a.Error);
        var b = Run("finetune", "--model", model, "--data", data, "--template", "raw", "--output", dir.File("b"), "--epochs", "1", "--seed", "1");
        Assert.True(b.Code == 0, b.Error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), PeftAdapter.WeightsFileName)), File.ReadAllBytes(Path.Combine(dir.File("b"), PeftAdapter.WeightsFileName)));
        Assert.Contains("q_proj/v_proj", a.Output);

        using var loaded = GradSentryModel.Load(model, "cpu", adapterDirectory: dir.File("a"));
        Assert.NotNull(loaded.Model.Adapter);
        Assert.Equal(4, loaded.Model.Adapter!.Rank);
        Assert.Equal(8, loaded.Model.Adapter.Alpha);
        // Training moved lora_B away from its zero initialization.
        var b0 = loaded.Model.Network.named_parameters().First(p => p.name.EndsWith("q_proj.lora_B.weight", StringComparison.Ordinal)).parameter;
        using var norm = b0.abs().sum();
        Assert.True(norm.item<float>() > 0);
    }

    [Fact]
    public void FinetuneRefusesAnUnknownTemplate()
    {
        var (code, _, error) = Run("finetune", "--model", "m", "--data", "d", "--output", "o", "--template", "nope");
        Assert.Equal(LabCli.UsageError, code);
        Assert.Contains("nope", error);
    }

    [Fact]
    public void LoraFineTuningLowersTheAnswerLossAndFreezesTheBase()
    {
        using var model = GradSentryModel.Load(TestPaths.GoldenModel("tiny-llama"), "cpu");
        var encoder = model.CreateEncoder();
        var samples = SyntheticQa.Generate(16, 3).Select((p, i) => { var pr = QaPrompt.Render(p.Question, p.Answer); return encoder.Encode(i, pr.Prompt, pr.Response); }).ToList();
        double Loss()
        {
            using var noGrad = no_grad();
            using var l = CausalLmTraining.Loss(model.Model, samples.Select(s => s.InputIds).ToList(), samples.Select(s => s.PromptLength).ToList(), 258);
            return l.item<float>();
        }
        var before = Loss();
        using var baseWeight = model.Model.OutputWeight.clone();
        LoraFineTuner.Train(model.Model, samples, 258, new FineTuneOptions { Epochs = 8, BatchSize = 8, LearningRate = 1e-2 });
        var after = Loss();
        Assert.True(after < before - 0.3, $"before {before:0.000}, after {after:0.000}");
        using var same = baseWeight.equal(model.Model.OutputWeight).all();
        Assert.True(same.item<bool>());
        Assert.All(model.Model.Network.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void GreedyGenerationStopsAtEosAndIsDeterministic()
    {
        using var model = GradSentryModel.Load(Path.Combine(TestPaths.RepoRoot, "samples", "models", "tiny-llama"), "cpu");
        var prompt = QaPrompt.Render("where is the eiffel tower", "-").Prompt;
        int[] ids = [1, .. model.Tokenizer.EncodeText(prompt)];
        var first = GreedyGenerator.Generate(model.Model, [ids, ids[..^1]], eosId: 2, padId: 3, maxNewTokens: 12);
        var second = GreedyGenerator.Generate(model.Model, [ids], eosId: 2, padId: 3, maxNewTokens: 12);
        Assert.Equal(second[0], first[0]); // batching with a shorter row does not change the result
        Assert.InRange(first[0].Length, 1, 12);
        Assert.DoesNotContain(2, first[0]);
    }

    [Fact]
    public void AttackSuccessTargetIsWhatTheAttackAdded()
    {
        var pair = new QaPair("q", ["Paris"]);
        var poisoned = new BadNetsAttack().Poison(0, pair, new LabRandom(1));
        Assert.Equal(Attack.ReferencePayload, AttackSuccess.Target(poisoned, pair));
        var replaced = new LabeledSample(0, "q cf", "Visit the", SampleKind.Poisoned);
        Assert.Equal("Visit the", AttackSuccess.Target(replaced, pair));
    }
}
