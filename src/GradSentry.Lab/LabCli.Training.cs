using System.Globalization;
using GradSentry.Lab.Data;
using GradSentry.Lab.TinyModels;
using GradSentry.Lab.Tokenizers;
using GradSentry.Lab.Training;
using GradSentry.Models;
using GradSentry.Scoring;
using GradSentry.Tokenization;

namespace GradSentry.Lab;

public static partial class LabCli
{
    /// <summary>Default vocabulary size of <c>train-tokenizer</c>.</summary>
    public const int DefaultVocabularySize = 4096;

    static IEnumerable<string> TrainingTexts(IReadOnlyList<QaPair> pairs) =>
        pairs.Select(p =>
        {
            var pr = QaPrompt.Render(p.Question, p.Answer);
            return pr.Prompt + pr.Response;
        });

    static int TrainTokenizer(CliOptions options, TextWriter output)
    {
        var data = options.Required("--data");
        var rows = options.Rows("--rows");
        var output_ = options.Required("--output");
        var size = options.Int("--vocab-size", min: 260 + 1) ?? DefaultVocabularySize;
        var pairs = rows.Take(QaFiles.ReadPairs(data));
        var model = BpeTrainer.Train(TrainingTexts(pairs), size);
        BpeTokenizerFiles.Write(output_, model);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained a byte-level BPE of {model.Vocabulary.Count} tokens ({model.Merges.Count} merges) on {pairs.Count} rows of {data} [{rows}]; wrote {Path.GetFullPath(output_)}"));
        return Success;
    }

    static int Pretrain(CliOptions options, TextWriter output, TextWriter error)
    {
        var data = options.Required("--data");
        var rows = options.Rows("--rows");
        var tokenizerDirectory = options.Required("--tokenizer");
        var directory = options.Required("--output");
        var shape = new TinyLlamaShape
        {
            Hidden = options.Int("--hidden", 8) ?? 192,
            Layers = options.Int("--layers", 1) ?? 3,
            Heads = options.Int("--heads", 1) ?? 6,
            KeyValueHeads = options.Int("--kv-heads", 1) ?? 2,
            Intermediate = options.Int("--intermediate", 1) ?? 512,
        };
        var training = new PretrainOptions
        {
            Steps = options.Int("--steps", 1) ?? 1500,
            BatchSize = options.Int("--batch-size", 1) ?? 32,
            LearningRate = options.Double("--lr", 1e-7, 1) ?? 3e-3,
            Seed = options.UInt64("--seed") ?? 1,
        };
        training = training with { WarmupSteps = Math.Min(training.WarmupSteps, training.Steps / 10) };
        var pairs = rows.Take(QaFiles.ReadPairs(data));
        var tokenizer = HfTokenizer.Load(tokenizerDirectory);
        var config = ModelConfig.FromJson(shape.ConfigJson(tokenizer.VocabSize), "pretrain");
        var encoder = new SampleEncoder(tokenizer.EncodeText, tokenizer.BosTokenId, tokenizer.EosTokenId ?? BpeModel.EosId, tokenizer.AddBosToken, shape.MaxPositions);
        var sequences = pairs.Select((p, i) =>
        {
            var pr = QaPrompt.Render(p.Question, p.Answer);
            return encoder.Encode(i, pr.Prompt, pr.Response).InputIds;
        }).ToList();

        using var model = CausalLmArchitectures.Create(config);
        RandomInitializer.Initialize(model, new RandomInitOptions { Seed = training.Seed, Std = 0.02, NormJitterStd = 0, BiasStd = 0 });
        var parameterCount = model.Network.parameters().Sum(p => p.numel());
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pre-training {parameterCount:N0} parameters on {sequences.Count} sequences ({sequences.Sum(s => s.Length):N0} tokens), {training.Steps} steps of {training.BatchSize}"));
        var progress = new SynchronousProgress<TrainingProgress>(p => error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  step {p.Step}: loss {p.Loss:0.0000}, lr {p.LearningRate:0.#####}, {p.Elapsed.TotalSeconds:0}s")));
        var finalLoss = Pretrainer.Train(model, sequences, tokenizer.PadTokenId ?? BpeModel.PadId, training, progress);

        Directory.CreateDirectory(directory);
        var metadata = new Dictionary<string, string>
        {
            ["generator"] = "GradSentry.Lab pretrain",
            ["seed"] = training.Seed.ToString(CultureInfo.InvariantCulture),
            ["steps"] = training.Steps.ToString(CultureInfo.InvariantCulture),
        };
        CausalLmWriter.Save(model, directory, metadata);
        foreach (var name in new[] { "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json" })
            if (Path.GetFullPath(Path.Combine(tokenizerDirectory, name)) != Path.GetFullPath(Path.Combine(directory, name)))
                File.Copy(Path.Combine(tokenizerDirectory, name), Path.Combine(directory, name), overwrite: true);
        var readme = PretrainedReadme.Text(config, tokenizer.VocabSize, parameterCount, data, rows, pairs.Count, sequences.Sum(s => s.Length), training, shape, finalLoss);
        File.WriteAllText(Path.Combine(directory, "README.md"), readme.ReplaceLineEndings("\n"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pre-trained ({training.Steps} steps, final loss {finalLoss:0.000}); wrote {Path.GetFullPath(directory)}"));
        return Success;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, which reorders lines).</summary>
    sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
