using System.Globalization;
using GradSentry.Lab.Evaluation;

namespace GradSentry.Lab;

public static partial class LabCli
{
    /// <summary>The bundled model, relative to the repository root.</summary>
    public const string BundledModel = "samples/models/tiny-llama";

    /// <summary>The evaluation rows, relative to the repository root.</summary>
    public const string EvaluationData = "samples/data/nq-open/efficientqa-dev.jsonl";

    static int Evaluate(CliOptions options, TextWriter output, TextWriter error)
    {
        var rates = options.List("--rates", [.. EvaluationOptions.StandardRates.Select(r => r.ToString("R", CultureInfo.InvariantCulture))])
            .Select(r => double.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 1 ? v
                : throw new UsageException($"rate '{r}' is not a number in [0, 1].")).ToList();
        var attacks = options.List("--attacks", GradSentry.Lab.Attacks.Attacks.Names);
        foreach (var a in attacks)
            if (!GradSentry.Lab.Attacks.Attacks.Names.Contains(a)) throw new UsageException($"unknown attack '{a}'; use {string.Join(", ", GradSentry.Lab.Attacks.Attacks.Names)}.");
        var scores = options.List("--scores", ScoreCatalog.Default);
        if (options.Flag("--no-graceful")) scores = scores.Where(s => s != "graceful").ToList();
        foreach (var s in scores)
            if (!ScoreCatalog.Default.Contains(s)) throw new UsageException($"unknown score '{s}'; use {string.Join(", ", ScoreCatalog.Default)}.");
        foreach (var required in new[] { ScoreCatalog.Reference, ScoreCatalog.LengthOnly })
            if (!scores.Contains(required)) throw new UsageException($"the score list must include '{required}': every table shows it.");
        var evaluation = new EvaluationOptions
        {
            ModelDirectory = options.String("--model") ?? BundledModel,
            DataFile = options.String("--data") ?? EvaluationData,
            Rows = options.Rows("--rows"),
            Attacks = attacks,
            Rates = rates,
            Scores = scores,
            Seed = options.UInt64("--seed") ?? 1,
            Threshold = options.String("--threshold") ?? "auto",
            RowsDirectory = options.String("--rows-csv"),
            ControlFraction = options.Double("--control", 0, 1) ?? 0.1,
        };
        var directory = options.String("--output") ?? "bench/results";
        var stem = options.String("--name") ?? "quality";
        var result = EvaluationRunner.Run(evaluation, error);
        var notes = options.String("--notes") is { } notesFile ? File.ReadAllText(notesFile) : null;
        ReportWriter.Write(result, directory, stem, notes);
        output.WriteLine($"wrote {Path.GetFullPath(Path.Combine(directory, stem + ".md"))} and {stem}.json");
        return Success;
    }

    static int MakeDataset(CliOptions options, TextWriter output)
    {
        var data = options.Required("--data");
        var file = options.Required("--output");
        var name = options.Required("--attack");
        if (!GradSentry.Lab.Attacks.Attacks.Names.Contains(name)) throw new UsageException($"unknown attack '{name}'; use {string.Join(", ", GradSentry.Lab.Attacks.Attacks.Names)}.");
        var rate = options.Double("--rate", 0, 1) ?? throw new UsageException("option '--rate' is required.");
        var pairs = options.Rows("--rows").Take(Data.QaFiles.ReadPairs(data));
        using var model = GradSentryModel.Load(options.String("--model") ?? BundledModel, "cpu");
        var attack = GradSentry.Lab.Attacks.Attacks.Create(name, s => model.Tokenizer.EncodeText(s).Count);
        var rows = GradSentry.Lab.Attacks.PoisonedDataset.Build(pairs, attack, new GradSentry.Lab.Attacks.PoisoningOptions
        {
            Rate = rate,
            Seed = options.UInt64("--seed") ?? 1,
            ControlFraction = options.Double("--control", 0, 1) ?? 0.1,
        });
        Data.QaFiles.WriteLabeled(file, rows);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {rows.Count} rows ({rows.Count(r => r.Poisoned)} poisoned by {name}, {rows.Count(r => r.Kind == Data.SampleKind.LongAnswerControl)} long-answer controls) to {Path.GetFullPath(file)}"));
        return Success;
    }

    static int Render(CliOptions options, TextWriter output)
    {
        var json = options.Required("--json");
        var markdown = options.String("--output") ?? Path.ChangeExtension(json, ".md");
        var notes = options.String("--notes") is { } notesFile ? File.ReadAllText(notesFile) : null;
        ReportWriter.Render(json, markdown, notes);
        output.WriteLine($"wrote {Path.GetFullPath(markdown)}");
        return Success;
    }
}
