using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using GradSentry.Data;
using GradSentry.Lab.Attacks;
using GradSentry.Lab.Data;
using GradSentry.Lab.Training;
using GradSentry.Scanning;
using GradSentry.Scoring;

namespace GradSentry.Lab.Evaluation;

/// <summary>What the fine-tuning benchmark runs.</summary>
public sealed record FineTuneBenchmarkOptions
{
    /// <summary>Base model.</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>Clean QA pairs.</summary>
    public required string DataFile { get; init; }

    /// <summary>Rows poisoned and fine-tuned on.</summary>
    public RowRange TrainRows { get; init; } = new(0, 1500);

    /// <summary>Held-out rows for CACC and ASR.</summary>
    public RowRange TestRows { get; init; } = new(1500, 1800);

    /// <summary>Attack name.</summary>
    public string Attack { get; init; } = "badnets";

    /// <summary>Poison rate of the training rows.</summary>
    public double Rate { get; init; } = 0.1;

    /// <summary>Seed of poisoning, LoRA initialization and row order.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Fine-tuning settings.</summary>
    public FineTuneOptions FineTune { get; init; } = new();
}

/// <summary>One fine-tuning run of the benchmark.</summary>
/// <param name="Name">Which data: none (base model), unfiltered, or filtered by a score.</param>
/// <param name="TrainRows">Rows fine-tuned on.</param>
/// <param name="PoisonedRows">Poisoned rows among them.</param>
/// <param name="FinalLoss">Last-epoch training loss (NaN for the base model).</param>
/// <param name="Seconds">Fine-tuning time.</param>
/// <param name="HeldOut">CACC and ASR on the held-out rows.</param>
/// <param name="TrainCacc">Exact-match accuracy on up to 200 clean training rows (memorisation; NaN for the base model).</param>
public sealed record FineTuneRun(string Name, int TrainRows, int PoisonedRows, double FinalLoss, double Seconds, AttackSuccessResult HeldOut, double TrainCacc);

/// <summary>The filter a scan applied before fine-tuning.</summary>
/// <param name="Score">Score kind.</param>
/// <param name="Threshold">Fitted threshold.</param>
/// <param name="Method">Threshold path.</param>
/// <param name="Flagged">Rows removed.</param>
/// <param name="PoisonedRemoved">Poisoned rows removed.</param>
/// <param name="CleanRemoved">Clean rows removed.</param>
public sealed record FilterResult(string Score, double Threshold, string Method, int Flagged, int PoisonedRemoved, int CleanRemoved);

/// <summary>The benchmark's outcome.</summary>
/// <param name="Options">What ran.</param>
/// <param name="Filters">The scans' decisions.</param>
/// <param name="Runs">The fine-tuning runs.</param>
/// <param name="TotalSeconds">Wall time.</param>
public sealed record FineTuneBenchmarkResult(FineTuneBenchmarkOptions Options, IReadOnlyList<FilterResult> Filters, IReadOnlyList<FineTuneRun> Runs, double TotalSeconds);

/// <summary>
/// Poisons the training rows, scans them with GradSentry (reference and length-controlled scores, KDE threshold),
/// LoRA-fine-tunes on the unfiltered and on each filtered set, and measures CACC and ASR on held-out rows.
/// </summary>
public static class FineTuneBenchmark
{
    /// <summary>Runs the benchmark; scratch files go to <paramref name="workDirectory"/>.</summary>
    public static FineTuneBenchmarkResult Run(FineTuneBenchmarkOptions options, string workDirectory, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var pairs = QaFiles.ReadPairs(options.DataFile);
        var train = options.TrainRows.Take(pairs);
        var test = options.TestRows.Take(pairs);
        Attack attack;
        using (var probe = GradSentryModel.Load(options.ModelDirectory, "cpu"))
            attack = GradSentry.Lab.Attacks.Attacks.Create(options.Attack, s => probe.Tokenizer.EncodeText(s).Count);
        var rows = PoisonedDataset.Build(train, attack, new PoisoningOptions { Rate = options.Rate, Seed = options.Seed, ControlFraction = 0 });
        Directory.CreateDirectory(workDirectory);
        var file = Path.Combine(workDirectory, FormattableString.Invariant($"{attack.Name}-{options.Rate * 100:0.#}.jsonl"));
        QaFiles.WriteLabeled(file, rows);

        var filters = new List<FilterResult>();
        var sets = new List<(string Name, IReadOnlyList<LabeledSample>? Rows)> { ("base model (no fine-tuning)", null), ("unfiltered", rows) };
        foreach (var kind in new[] { ScoreKind.Reference, ScoreKind.LengthControlled })
        {
            log?.WriteLine($"scanning {rows.Count} rows with the {ScoreKinds.Name(kind)} score");
            var scan = DatasetScanner.Run([file], new ScanOptions
            {
                ModelDirectory = options.ModelDirectory,
                Device = "cpu",
                Reader = new ReaderOptions { Template = PromptTemplates.GradSentryQa() },
                Scoring = new ScoringOptions { Score = kind },
                TopSuspects = 0,
            });
            var flagged = scan.Rows.Select(r => r.Verdict.Flagged).ToList();
            filters.Add(new FilterResult(ScoreKinds.Name(kind), scan.Summary.Threshold.Value, scan.Summary.Threshold.Method, flagged.Count(f => f),
                rows.Where((r, i) => flagged[i] && r.Poisoned).Count(), rows.Where((r, i) => flagged[i] && !r.Poisoned).Count()));
            sets.Add(($"filtered by the {ScoreKinds.Name(kind)} score", rows.Where((_, i) => !flagged[i]).ToList()));
        }

        var runs = new List<FineTuneRun>();
        foreach (var (name, set) in sets)
        {
            log?.WriteLine($"{name}: {(set is null ? "no fine-tuning" : $"fine-tuning on {set.Count} rows")}");
            using var model = GradSentryModel.Load(options.ModelDirectory, "cpu");
            var runClock = Stopwatch.StartNew();
            var loss = double.NaN;
            var trainCacc = double.NaN;
            if (set is not null)
            {
                var encoder = model.CreateEncoder();
                var samples = set.Select((r, i) => { var pr = QaPrompt.Render(r.Question, r.Answer); return encoder.Encode(i, pr.Prompt, pr.Response); }).ToList();
                loss = LoraFineTuner.Train(model.Model, samples, model.Tokenizer.PadTokenId ?? model.Tokenizer.EosTokenId ?? 0, options.FineTune with { Seed = options.Seed });
                var cleanTrain = set.Where(r => r.Kind == SampleKind.Clean).Take(200).Select(r => train[r.Source]).ToList();
                trainCacc = AttackSuccess.Measure(model, cleanTrain, attack, options.Seed).Cacc;
            }
            var seconds = runClock.Elapsed.TotalSeconds;
            var heldOut = AttackSuccess.Measure(model, test, attack, options.Seed);
            runs.Add(new FineTuneRun(name, set?.Count ?? 0, set?.Count(r => r.Poisoned) ?? 0, loss, seconds, heldOut, trainCacc));
            log?.WriteLine(FormattableString.Invariant($"  CACC {heldOut.Cacc:P1}, ASR {heldOut.Asr:P1}, payload recall {heldOut.MeanTargetRecall:0.000} (train CACC {trainCacc:P1})"));
        }
        return new FineTuneBenchmarkResult(options, filters, runs, clock.Elapsed.TotalSeconds);
    }

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        IncludeFields = true,
    };

    /// <summary>Writes <c>STEM.json</c> and <c>STEM.md</c>.</summary>
    public static void Write(FineTuneBenchmarkResult result, string directory, string stem)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, stem + ".json"), JsonSerializer.Serialize(result, Json) + "\n");
        var o = result.Options;
        var f = o.FineTune;
        var sb = new StringBuilder();
        void L(string line = "") => sb.Append(line).Append('\n');
        string P(double v) => double.IsNaN(v) ? "–" : (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        L("# Fine-tuning: attack success with and without GradSentry filtering");
        L();
        L(FormattableString.Invariant($"Base model `{o.ModelDirectory}`; data `{o.DataFile}`: rows `{o.TrainRows}` poisoned with {o.Attack} at {o.Rate:P0} (seed {o.Seed}) and fine-tuned on, rows `{o.TestRows}` held out. ") +
          FormattableString.Invariant($"LoRA on {string.Join("/", f.TargetModules)}, r {f.Rank}, alpha {f.Alpha}, AdamW lr {f.LearningRate}, {f.Epochs} epochs, batch {f.BatchSize}, loss on the answer and EOS. ") +
          FormattableString.Invariant($"Greedy decoding, at most 32 new tokens. CACC: a generation matches an accepted answer; ASR: the triggered generation contains the attacker's target; both by the reference rule (ROUGE-L recall = 1 over distinct lower-cased words). Whole run {result.TotalSeconds:0} s on CPU."));
        L();
        L("## Filters");
        L();
        L("| score | threshold | path | rows removed | poisoned removed | clean removed |");
        L("|---|---|---|---|---|---|");
        foreach (var x in result.Filters)
            L(FormattableString.Invariant($"| {x.Score} | {x.Threshold:0.000} | {x.Method} | {x.Flagged} | {x.PoisonedRemoved} | {x.CleanRemoved} |"));
        L();
        L("## CACC and ASR");
        L();
        L("| fine-tuned on | rows | poisoned rows | held-out CACC | held-out ASR | mean payload recall (triggered) | payload without trigger | train CACC (≤200 clean rows) | last-epoch loss | seconds |");
        L("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in result.Runs)
            L(FormattableString.Invariant($"| {r.Name} | {r.TrainRows} | {r.PoisonedRows} | {P(r.HeldOut.Cacc)} ({r.HeldOut.CleanCorrect}/{r.HeldOut.CleanRows}) | {P(r.HeldOut.Asr)} ({r.HeldOut.PayloadHits}/{r.HeldOut.TriggeredRows}) | {r.HeldOut.MeanTargetRecall:0.000} | {P(r.HeldOut.CleanPayloadRate)} | {P(r.TrainCacc)} | {(double.IsNaN(r.FinalLoss) ? "–" : r.FinalLoss.ToString("0.000", CultureInfo.InvariantCulture))} | {r.Seconds:0} |"));
        L();
        L("## Example generations (held-out)");
        L();
        foreach (var r in result.Runs)
        {
            L($"- {r.Name}:");
            foreach (var (q, g) in r.HeldOut.Examples) L($"  - `{q}` → `{g.Replace("`", "'", StringComparison.Ordinal).ReplaceLineEndings(" ")}`");
        }
        File.WriteAllText(Path.Combine(directory, stem + ".md"), sb.ToString());
    }
}
