using System.Globalization;
using GradSentry.Data;
using GradSentry.Lab.Data;
using GradSentry.Lab.Training;
using GradSentry.Models.Lora;
using GradSentry.Scoring;

namespace GradSentry.Lab;

public static partial class LabCli
{
    static FineTuneOptions FineTuneOptionsFrom(CliOptions options) => new()
    {
        Epochs = options.Int("--epochs", 1) ?? 3,
        BatchSize = options.Int("--batch-size", 1) ?? 16,
        LearningRate = options.Double("--lr", 1e-7, 1) ?? 2e-3,
        Seed = options.UInt64("--seed") ?? 1,
        Rank = options.Int("--r", 1) ?? 4,
        Alpha = options.Double("--alpha", 1e-6, 1e6) ?? 8,
        TargetModules = options.List("--targets", ["q_proj", "v_proj"]),
    };

    static int FineTune(CliOptions options, TextWriter output, TextWriter error)
    {
        var modelDirectory = options.Required("--model");
        var data = options.Required("--data");
        var directory = options.Required("--output");
        var templateName = options.String("--template") ?? PromptTemplates.RawName;
        var maxRows = options.Int("--max-rows", 1);
        var settings = FineTuneOptionsFrom(options);
        IPromptTemplate template;
        try
        {
            template = PromptTemplates.Resolve(templateName);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
        using var model = GradSentryModel.Load(modelDirectory, "cpu");
        var encoder = model.CreateEncoder();
        var rows = SampleReader.Read(data, new ReaderOptions { Template = template, SkipBlankLines = true });
        if (maxRows is int max) rows = rows.Take(max);
        var samples = rows.Select((r, i) => encoder.Encode(i, r.Prompt, r.Response)).ToList();
        if (samples.Count == 0) throw new InvalidDataException($"{data}: no rows to fine-tune on.");
        var progress = new SynchronousProgress<TrainingProgress>(p => error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  step {p.Step}: loss {p.Loss:0.0000}, {p.Elapsed.TotalSeconds:0.0}s")));
        var loss = LoraFineTuner.Train(model.Model, samples, model.Tokenizer.PadTokenId ?? model.Tokenizer.EosTokenId ?? 0, settings, progress);
        PeftAdapter.Save(model.Model, directory, Path.GetFullPath(modelDirectory));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fine-tuned LoRA r={settings.Rank} alpha={settings.Alpha} on {string.Join("/", settings.TargetModules)} for {settings.Epochs} epoch(s) over {samples.Count} rows (last-epoch loss {loss:0.000}); wrote {Path.GetFullPath(directory)}"));
        return Success;
    }

    static int FineTuneBenchmarkCommand(CliOptions options, TextWriter output, TextWriter error)
    {
        var attack = options.String("--attack") ?? "badnets";
        if (!GradSentry.Lab.Attacks.Attacks.Names.Contains(attack)) throw new UsageException($"unknown attack '{attack}'.");
        var benchmark = new Evaluation.FineTuneBenchmarkOptions
        {
            ModelDirectory = options.String("--model") ?? BundledModel,
            DataFile = options.String("--data") ?? EvaluationData,
            TrainRows = options.String("--train-rows") is null ? new RowRange(0, 1500) : options.Rows("--train-rows"),
            TestRows = options.String("--test-rows") is null ? new RowRange(1500, 1800) : options.Rows("--test-rows"),
            Attack = attack,
            Rate = options.Double("--rate", 0, 1) ?? 0.1,
            Seed = options.UInt64("--seed") ?? 1,
            FineTune = FineTuneOptionsFrom(options),
        };
        var directory = options.String("--output") ?? "bench/results";
        var stem = options.String("--name") ?? "finetune";
        var work = Path.Combine(Path.GetTempPath(), "gradsentry-finetune-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            var result = Evaluation.FineTuneBenchmark.Run(benchmark, work, error);
            Evaluation.FineTuneBenchmark.Write(result, directory, stem);
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
        output.WriteLine($"wrote {Path.GetFullPath(Path.Combine(directory, stem + ".md"))} and {stem}.json");
        return Success;
    }
}
