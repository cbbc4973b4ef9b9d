using System.Diagnostics;
using GradSentry.Lab.Attacks;
using GradSentry.Lab.Data;
using GradSentry.Lab.Metrics;
using GradSentry.Thresholds;

namespace GradSentry.Lab.Evaluation;

/// <summary>
/// Runs the detection grid: for every attack and rate, builds the poisoned dataset (with long-answer controls), measures
/// each distinct row's features once, computes every score, fits each score's threshold on the dataset and measures.
/// </summary>
public static class EvaluationRunner
{
    /// <summary>Runs <paramref name="options"/>; progress lines go to <paramref name="log"/>.</summary>
    public static EvaluationResult Run(EvaluationOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var rule = ThresholdRule.Parse(options.Threshold);
        using var model = GradSentryModel.Load(options.ModelDirectory, "cpu");
        var extractor = new FeatureExtractor(model, batchSize: options.BatchSize);
        var onion = options.Scores.Any(ScoreCatalog.NeedsOnion) ? new OnionColumn(model) : null;
        var pairs = options.Rows.Take(QaFiles.ReadPairs(options.DataFile));
        int CountTokens(string s) => model.Tokenizer.EncodeText(s).Count;

        var datasets = new List<(Attack Attack, double Rate, IReadOnlyList<LabeledSample> Rows)>();
        foreach (var name in options.Attacks)
        {
            var attack = GradSentry.Lab.Attacks.Attacks.Create(name, CountTokens, pairs);
            foreach (var rate in attack.Rates ?? options.Rates)
                datasets.Add((attack, rate, PoisonedDataset.Build(pairs, attack, new PoisoningOptions { Rate = rate, Seed = options.Seed, ControlFraction = options.ControlFraction })));
        }

        var unique = new Dictionary<(string, string), int>();
        var texts = new List<(string Question, string Answer)>();
        foreach (var (_, _, rows) in datasets)
            foreach (var row in rows)
                if (unique.TryAdd((row.Question, row.Answer), texts.Count)) texts.Add((row.Question, row.Answer));
        log?.WriteLine($"measuring {texts.Count} distinct rows ({datasets.Count} datasets of {pairs.Count} rows)");
        var featureClock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        var features = extractor.Extract(texts, new Progress(done =>
        {
            if (featureClock.Elapsed - lastReport < TimeSpan.FromSeconds(30) && done < texts.Count) return;
            lastReport = featureClock.Elapsed;
            var rate = done / Math.Max(1e-9, featureClock.Elapsed.TotalSeconds);
            log?.WriteLine(FormattableString.Invariant($"  {done}/{texts.Count} rows, {rate:0.0} rows/s, ETA {(texts.Count - done) / Math.Max(rate, 1e-9):0}s"));
        }));
        var featureSeconds = featureClock.Elapsed.TotalSeconds;

        var cells = new List<CellResult>();
        foreach (var (attack, rate, rows) in datasets)
        {
            var cellFeatures = rows.Select(r => features[unique[(r.Question, r.Answer)]]).ToList();
            cells.Add(Evaluate(attack, rate, rows, cellFeatures, options, rule, onion));
            var c = cells[^1];
            var ours = options.Scores.Contains(ScoreCatalog.LengthControlled)
                ? FormattableString.Invariant($", ours {c.Score(ScoreCatalog.LengthControlled).Report.Auroc:0.000}")
                : "";
            if (onion is not null)
                ours += FormattableString.Invariant($", onion {c.Score(ScoreCatalog.Onion).Report.Auroc:0.000} F1 {c.Score(ScoreCatalog.Onion).Report.Confusion.F1:0.000}")
                        + (c.OnionHits is { } hits ? FormattableString.Invariant($" top-3 {hits.Rate:P0}") : "")
                        + FormattableString.Invariant($" ({onion.Seconds:0}s)");
            log?.WriteLine(FormattableString.Invariant(
                $"  {attack.Name} {rate:P0}: AUROC reference {c.Score(ScoreCatalog.Reference).Report.Auroc:0.000}, length {c.Score(ScoreCatalog.LengthOnly).Report.Auroc:0.000}{ours}"));
        }
        return new EvaluationResult(options, model.ContentHash(), model.Model.Network.parameters().Sum(p => p.numel()), texts.Count, featureSeconds, clock.Elapsed.TotalSeconds, cells)
        {
            Onion = onion is null ? null : new OnionCost(onion.PromptsScored, onion.TextsMeasured, onion.Seconds),
        };
    }

    /// <summary>Scores one dataset with every score of <paramref name="options"/>.</summary>
    public static CellResult Evaluate(Attack attack, double rate, IReadOnlyList<LabeledSample> rows, IReadOnlyList<SampleFeatures> features,
        EvaluationOptions options, IThresholdRule rule, OnionColumn? onion = null)
    {
        ArgumentNullException.ThrowIfNull(attack);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rule);
        var poisoned = rows.Select(r => r.Poisoned).ToArray();
        var t = features.Select(f => f.AnswerTokens).ToArray();
        var control = rows.Select(r => r.Kind == SampleKind.LongAnswerControl).ToArray();
        var plain = rows.Select(r => r.Kind == SampleKind.Clean).ToArray();
        var answers = rows.Select(r => r.Answer).ToList();
        var template = GradSentry.Data.PromptTemplates.GradSentryQa();
        var prompts = rows.Select(r => template.Apply(GradSentry.Data.DataRecord.FromFields("lab", 0, 1, ["question", "answer"], [r.Question, r.Answer])).Prompt).ToList();
        var boilerplate = rows.Select(r => r.Kind == SampleKind.Boilerplate).ToArray();
        var backdoors = rows.Select(r => r.Backdoor).ToArray();
        var onionRows = onion is not null && options.Scores.Any(ScoreCatalog.NeedsOnion) ? onion.Score(prompts) : null;
        var results = new List<ScoreResult>();
        var columns = new List<double[]>();
        foreach (var name in options.Scores)
        {
            var column = ScoreCatalog.Compute(name, features, options.Seed, answers, prompts, onionRows);
            columns.Add(column.Scores);
            double threshold;
            string method;
            bool[] flags;
            if (column.Flags is { } own)
            {
                flags = own;
                threshold = double.NaN;
                method = name switch
                {
                    ScoreCatalog.TriggerConditional => "own rule (trigger association)",
                    ScoreCatalog.Onion => FormattableString.Invariant($"own rule (onion drop bar {GradSentry.Detection.Onion.FlagAbove})"),
                    _ => "own clusters (minority = poisoned)",
                };
                if (name == ScoreCatalog.Onion) threshold = GradSentry.Detection.Onion.FlagAbove;
            }
            else
            {
                var fitted = rule.Fit(column.Scores);
                flags = column.Scores.Select(fitted.IsFlagged).ToArray();
                threshold = fitted.Value;
                method = fitted.Method;
            }
            results.Add(new ScoreResult(name, threshold, method, DetectionReport.Compute(column.Scores, flags, poisoned, t, control, plain, boilerplate, backdoors)));
        }
        if (options.RowsDirectory is { } dump) WriteRows(dump, attack, rate, rows, t, features, options.Scores, columns);
        double MedianT(Func<LabeledSample, bool> which) =>
            LengthControl.Median(rows.Select((r, i) => (r, i)).Where(x => which(x.r)).Select(x => (double)t[x.i]).ToList());
        OnionTriggerHits? hits = null;
        if (onionRows is not null && OnionColumn.TriggerWords(attack.Name) is { } triggers)
        {
            var (hit, count) = OnionColumn.TriggerHits(onionRows, poisoned, triggers);
            hits = new OnionTriggerHits(hit, count, onionRows.Count(r => r.NotExamined is not null));
        }
        return new CellResult(attack.Name, attack.Family, rate, rows.Count, poisoned.Count(p => p), control.Count(c => c),
            rows.Count(r => r.Kind == SampleKind.CleanNegative), MedianT(r => r.Kind == SampleKind.Clean), MedianT(r => r.Poisoned), results)
        {
            OnionHits = hits,
        };
    }

    static void WriteRows(string directory, Attack attack, double rate, IReadOnlyList<LabeledSample> rows, int[] t,
        IReadOnlyList<SampleFeatures> features, IReadOnlyList<string> names, List<double[]> columns)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FormattableString.Invariant($"{attack.Name}-{rate * 100:0.#}.csv"));
        using var writer = new StreamWriter(path);
        writer.WriteLine("row,kind,poisoned,T,loss," + string.Join(",", names));
        for (var i = 0; i < rows.Count; i++)
            writer.WriteLine(FormattableString.Invariant($"{rows[i].Source},{QaFiles.KindName(rows[i].Kind)},{(rows[i].Poisoned ? 1 : 0)},{t[i]},{features[i].Loss:R},") +
                string.Join(",", columns.Select(c => c[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
    }

    sealed class Progress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
