using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using GradSentry.Lab.Attacks;

namespace GradSentry.Lab.Evaluation;

/// <summary>Writes an <see cref="EvaluationResult"/> as <c>quality.json</c> (everything) and <c>quality.md</c> (tables).</summary>
public static class ReportWriter
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The goals of issue 7.</summary>
    public const double F1Goal = 0.95;

    /// <summary>AUROC our score must reach on the length-matched attacks.</summary>
    public const double AurocGoal = 0.9;

    /// <summary>Margin over the length-only AUROC on the length-matched attacks.</summary>
    public const double MarginGoal = 0.15;

    /// <summary>Highest acceptable false-positive rate on the long-answer control.</summary>
    public const double ControlFprGoal = 0.02;

    /// <summary>Writes both files into <paramref name="directory"/> (created if needed), with <paramref name="stem"/> as the file name stem.</summary>
    public static void Write(EvaluationResult result, string directory, string stem = "quality", string? notes = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        WriteAtomically(Path.Combine(directory, stem + ".json"), JsonSerializer.Serialize(result, Json) + "\n");
        WriteAtomically(Path.Combine(directory, stem + ".md"), Markdown(result, notes));
    }

    /// <summary>Reads a <c>quality.json</c> written by <see cref="Write"/>.</summary>
    public static EvaluationResult Read(string path) =>
        JsonSerializer.Deserialize<EvaluationResult>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty result.");

    /// <summary>Writes the Markdown of an existing JSON result again (e.g. with other notes) without recomputing anything.</summary>
    public static void Render(string jsonPath, string markdownPath, string? notes = null) =>
        WriteAtomically(markdownPath, Markdown(Read(jsonPath), notes));

    static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(temporary, text.ReplaceLineEndings("\n"));
        File.Move(temporary, path, overwrite: true);
    }

    static string F(double v, string format = "0.000") => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);

    static string PctOrDash(double rate) => double.IsNaN(rate) ? "–" : Pct(rate);

    static string FamilyLabel(AttackFamily family) => family switch
    {
        AttackFamily.Reference => "reference attack",
        AttackFamily.LengthMatched => "length-matched",
        AttackFamily.Conditional => "trigger-conditional case",
        AttackFamily.Clean => "nothing poisoned",
        _ => family.ToString(),
    };

    /// <summary>The targeted attacks the verdict's F1 goal covers.</summary>
    static readonly string[] TargetedAttacks = ["badnets", "addsent", "cba", "style", "fixed-answer", "bare-url"];

    /// <summary>The goals of issue 11 ("a verdict you can trust"), for every headline score.</summary>
    static void VerdictGoals(StringBuilder sb, EvaluationResult result, IReadOnlyList<string> headline)
    {
        void L(string line = "") => sb.Append(line).Append('\n');
        var cells = result.Cells;
        L("## Goals of the verdict (issue 11)");
        L();
        L("| goal | score | met | worst case |");
        L("|---|---|---|---|");
        foreach (var score in headline)
        {
            var targeted = cells.Where(c => TargetedAttacks.Contains(c.Attack)).ToList();
            if (targeted.Count > 0)
            {
                var worst = targeted.MinBy(c => c.Score(score).Report.Confusion.F1)!;
                L($"| targeted attacks: F1 ≥ 0.95 at every rate | `{score}` | {YesNo(targeted.All(c => c.Score(score).Report.Confusion.F1 >= 0.95))} | F1 {F(worst.Score(score).Report.Confusion.F1)} ({worst.Attack} {Pct(worst.Rate)}) |");
            }
            var conditional = cells.Where(c => c.Attack is "untargeted" or "varied-payload" && Math.Abs(c.Rate - 0.1) < 1e-9).ToList();
            foreach (var c in conditional)
            {
                var r = c.Score(score).Report;
                L($"| {c.Attack} 10%: AUROC ≥ 0.9 and F1 ≥ 0.8 | `{score}` | {YesNo(r.Auroc >= 0.9 && r.Confusion.F1 >= 0.8)} | AUROC {F(r.Auroc)}, F1 {F(r.Confusion.F1)} |");
            }
            foreach (var c in cells.Where(c => c.Attack == "two-backdoors"))
            {
                var recall = c.Score(score).Report.RecallByBackdoor;
                L($"| two backdoors: recall ≥ 0.95 for each | `{score}` | {YesNo(recall.Count > 0 && recall.Values.All(v => v >= 0.95))} | {string.Join(", ", recall.Select(kv => $"{kv.Key} {F(kv.Value)}"))} |");
            }
            var clean = cells.Where(c => c.Family == AttackFamily.Clean).ToList();
            if (clean.Count > 0)
            {
                double Flagged(CellResult c) => (double)(c.Score(score).Report.Confusion.TruePositives + c.Score(score).Report.Confusion.FalsePositives) / c.Rows;
                var worst = clean.MaxBy(Flagged)!;
                L($"| all-clean datasets: ≤ 1% flagged | `{score}` | {YesNo(clean.All(c => Flagged(c) <= 0.01))} | {Pct(Flagged(worst))} ({worst.Attack} {Pct(worst.Rate)}) |");
                L($"| all-clean datasets: default gate passes (nothing flagged) | `{score}` | {YesNo(clean.All(c => Flagged(c) == 0))} | {clean.Count(c => Flagged(c) > 0)} of {clean.Count} datasets flag rows |");
            }
            double Worst(CellResult c) => Math.Max(Nan0(c.Score(score).Report.ControlFalsePositiveRate), Nan0(c.Score(score).Report.BoilerplateFalsePositiveRate));
            var worstFp = cells.MaxBy(Worst);
            if (worstFp is not null)
                L($"| boilerplate rows and long-answer controls: ≤ 2% flagged at every rate | `{score}` | {YesNo(cells.All(c => Worst(c) <= 0.02))} | {Pct(Worst(worstFp))} ({worstFp.Attack} {Pct(worstFp.Rate)}) |");
        }
        L();
    }

    /// <summary>The word-trigger attacks ONION's AUROC goal covers (issue 12).</summary>
    static readonly string[] WordTriggerAttacks = ["badnets", "cba"];

    /// <summary>ONION's goals (issue 12), its trigger candidates' hit rate, its weakness, and its cost.</summary>
    static void OnionSection(StringBuilder sb, EvaluationResult result)
    {
        void L(string line = "") => sb.Append(line).Append('\n');
        var onion = ScoreCatalog.Onion;
        var cells = result.Cells;
        L("## ONION (issue 12)");
        L();
        L("`onion` = the product's `--score onion` (Core's `Onion` over `PromptPerplexity`, the bundled model as the language model; template words in ≥ 90% of a 512-row window skipped; at most 32 deletions per row). " +
          "Row score = max over words w of max(0, 1 − PPL(without w) / PPL(prompt)) · (1 − 1/n_w), n_w = rows of the window holding w (`onion-max` = the same without the weight); flagged above its own bar 0.35. Top-3 hit = a planted trigger word (BadNets cf/mn/bb/tq, CBA consider/done, AddSent's and the style rewrite's words) is among the row's three most suspicious words.");
        L();
        L("| goal | met | worst case |");
        L("|---|---|---|");
        var word = cells.Where(c => WordTriggerAttacks.Contains(c.Attack)).ToList();
        if (word.Count > 0)
        {
            var worst = word.MinBy(c => c.Score(onion).Report.Auroc)!;
            L($"| word triggers (BadNets, CBA): AUROC ≥ 0.9 at every rate | {YesNo(word.All(c => c.Score(onion).Report.Auroc >= 0.9))} | AUROC {F(worst.Score(onion).Report.Auroc)} ({worst.Attack} {Pct(worst.Rate)}) |");
            var withHits = word.Where(c => c.OnionHits is { Rows: > 0 }).ToList();
            if (withHits.Count > 0)
            {
                var hits = withHits.Sum(c => c.OnionHits!.Hits);
                var rows = withHits.Sum(c => c.OnionHits!.Rows);
                var worstHits = withHits.MinBy(c => c.OnionHits!.Rate)!;
                L($"| word triggers: a trigger word in the top 3 of ≥ 90% of poisoned rows | {YesNo((double)hits / rows >= 0.9)} | {Pct((double)hits / rows)} of {rows} rows over all rates; worst {Pct(worstHits.OnionHits!.Rate)} ({worstHits.Attack} {Pct(worstHits.Rate)}) |");
            }
        }
        L();
        L("| attack | rate | poisoned | AUROC | F1 | precision / recall | threshold | top-3 hit | not examined | control / boilerplate FPR |");
        L("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var c in cells)
        {
            var s = c.Score(onion);
            var r = s.Report;
            var hit = c.OnionHits is { Rows: > 0 } h ? $"{Pct(h.Rate)} ({h.Hits}/{h.Rows})" : "–";
            var notExamined = c.OnionHits is { } n ? n.NotExamined.ToString(CultureInfo.InvariantCulture) : "–";
            L($"| {c.Attack} | {Pct(c.Rate)} | {c.Poisoned} | {F(r.Auroc)} | {F(r.Confusion.F1)} | {F(r.Confusion.Precision, "0.00")} / {F(r.Confusion.Recall, "0.00")} | {F(s.Threshold)} {Abbreviate(s.ThresholdMethod)} | {hit} | {notExamined} | {PctOrDash(r.ControlFalsePositiveRate)} / {PctOrDash(r.BoilerplateFalsePositiveRate)} |");
        }
        L();
        if (result.Onion is { } cost)
        {
            var featureMs = result.FeatureSeconds * 1000 / Math.Max(1, result.UniqueSamples);
            var onionMs = cost.Seconds * 1000 / Math.Max(1, cost.Prompts);
            L(FormattableString.Invariant($"Cost in this run (CPU, shared): ONION measured {cost.Texts:N0} distinct texts for {cost.Prompts:N0} distinct prompts ({(double)cost.Texts / Math.Max(1, cost.Prompts):0.0} perplexities per prompt) in {cost.Seconds:0} s = {onionMs:0.0} ms per prompt; ") +
              FormattableString.Invariant($"the gradient features (reference score and the lab's extra features, one batched pass) took {featureMs:0.0} ms per row. ONION's ratio to that: {onionMs / Math.Max(1e-9, featureMs):0.0}×."));
            L();
        }
    }

    static double Nan0(double v) => double.IsNaN(v) ? 0 : v;

    static string YesNo(bool met) => met ? "yes" : "**no**";

    static string Pct(double rate) => (rate * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>The Markdown report.</summary>
    public static string Markdown(EvaluationResult result, string? notes = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var o = result.Options;
        var sb = new StringBuilder();
        void L(string line = "") => sb.Append(line).Append('\n');
        var headline = new[] { ScoreCatalog.Reference, ScoreCatalog.LengthOnly, ScoreCatalog.LengthControlled, ScoreCatalog.TriggerConditional, ScoreCatalog.Onion }.Where(o.Scores.Contains).ToList();
        var ours = o.Scores.Contains(ScoreCatalog.LengthControlled) ? ScoreCatalog.LengthControlled : null;

        L("# GradSentry detection quality");
        L();
        L(FormattableString.Invariant($"Model `{o.ModelDirectory}` ({result.Parameters:N0} parameters, content hash `{result.ModelHash[..16]}`), data `{o.DataFile}` rows `{o.Rows}`, seed {o.Seed}, ") +
          FormattableString.Invariant($"threshold rule `{o.Threshold}`, long-answer controls {Pct(o.ControlFraction)} of the clean rows in every dataset. ") +
          FormattableString.Invariant($"{result.Cells.Count} datasets, {result.UniqueSamples} distinct rows measured in {result.FeatureSeconds:0} s; whole run {result.TotalSeconds:0} s on CPU."));
        L();
        if (ours is not null)
            L($"`{ScoreCatalog.LengthControlled}` is the candidate `{ScoreCatalog.ChosenCandidate}` (chosen on the design split, `bench/results/design.md`). AUROC counts ties as one half; F1, precision and recall are at each score's own fitted threshold; \"control FPR\" is the share of long-answer controls (clean rows with a benign ~12-token sentence appended) that were flagged.");
        L();
        if (notes is not null)
        {
            L(notes.TrimEnd());
            L();
        }

        VerdictGoals(sb, result, headline);
        if (o.Scores.Contains(ScoreCatalog.Onion)) OnionSection(sb, result);

        if (ours is not null)
        {
            L("## Goals of the length-controlled score (issue 7)");
            L();
            L("| goal | score | met | worst case |");
            L("|---|---|---|---|");
            foreach (var score in headline)
            {
                var reference = result.Cells.Where(c => c.Family == AttackFamily.Reference).ToList();
                if (reference.Count > 0)
                {
                    var worst = reference.MinBy(c => c.Score(score).Report.Confusion.F1)!;
                    L($"| reference attacks: F1 ≥ {F1Goal} at every rate | `{score}` | {(reference.All(c => c.Score(score).Report.Confusion.F1 >= F1Goal) ? "yes" : "**no**")} | F1 {F(worst.Score(score).Report.Confusion.F1)} ({worst.Attack} {Pct(worst.Rate)}) |");
                }
                var matched = result.Cells.Where(c => c.Family == AttackFamily.LengthMatched).ToList();
                if (matched.Count > 0 && score != ScoreCatalog.LengthOnly)
                {
                    var worst = matched.MinBy(c => c.Score(score).Report.Auroc)!;
                    var margin = matched.MinBy(c => c.Score(score).Report.Auroc - c.Score(ScoreCatalog.LengthOnly).Report.Auroc)!;
                    L($"| length-matched: AUROC ≥ {AurocGoal} | `{score}` | {(matched.All(c => c.Score(score).Report.Auroc >= AurocGoal) ? "yes" : "**no**")} | AUROC {F(worst.Score(score).Report.Auroc)} ({worst.Attack} {Pct(worst.Rate)}) |");
                    L($"| length-matched: AUROC ≥ length-only + {MarginGoal} | `{score}` | {(matched.All(c => c.Score(score).Report.Auroc - c.Score(ScoreCatalog.LengthOnly).Report.Auroc >= MarginGoal) ? "yes" : "**no**")} | margin {F(margin.Score(score).Report.Auroc - margin.Score(ScoreCatalog.LengthOnly).Report.Auroc, "+0.000;-0.000")} ({margin.Attack} {Pct(margin.Rate)}) |");
                }
                var worstControl = result.Cells.Where(c => !double.IsNaN(c.Score(score).Report.ControlFalsePositiveRate)).MaxBy(c => c.Score(score).Report.ControlFalsePositiveRate);
                if (worstControl is not null)
                    L($"| long-answer control FPR ≤ {Pct(ControlFprGoal)} | `{score}` | {(result.Cells.All(c => !(c.Score(score).Report.ControlFalsePositiveRate > ControlFprGoal)) ? "yes" : "**no**")} | {Pct(worstControl.Score(score).Report.ControlFalsePositiveRate)} ({worstControl.Attack} {Pct(worstControl.Rate)}) |");
            }
            L();
        }

        L("## Headline: reference vs answer length only vs ours");
        L();
        foreach (var group in result.Cells.GroupBy(c => c.Attack))
        {
            var first = group.First();
            L($"### {group.Key} ({FamilyLabel(first.Family)})");
            L();
            var header = new StringBuilder("| rate | poisoned | median T clean / poisoned |");
            var rule = new StringBuilder("|---|---|---|");
            foreach (var s in headline)
            {
                header.Append(CultureInfo.InvariantCulture, $" {s} AUROC | {s} F1 | {s} control / boilerplate FPR |");
                rule.Append("---|---|---|");
            }
            L(header.ToString());
            L(rule.ToString());
            foreach (var c in group)
            {
                var line = new StringBuilder(FormattableString.Invariant($"| {Pct(c.Rate)} | {c.Poisoned} | {c.MedianCleanT:0.#} / {c.MedianPoisonedT:0.#} |"));
                foreach (var s in headline)
                {
                    var r = c.Score(s).Report;
                    line.Append(CultureInfo.InvariantCulture, $" {F(r.Auroc)} | {F(r.Confusion.F1)} | {PctOrDash(r.ControlFalsePositiveRate)} / {PctOrDash(r.BoilerplateFalsePositiveRate)} |");
                }
                L(line.ToString());
            }
            L();
        }

        Table(sb, result, "## AUROC, every score", (r) => F(r.Report.Auroc));
        Table(sb, result, "## F1 at the fitted threshold, every score", (r) => F(r.Report.Confusion.F1));
        Table(sb, result, "## Precision / recall at the fitted threshold", (r) => $"{F(r.Report.Confusion.Precision, "0.00")}/{F(r.Report.Confusion.Recall, "0.00")}");
        Table(sb, result, "## Boilerplate FPR (repeated sentence, no trigger)", (r) => PctOrDash(r.Report.BoilerplateFalsePositiveRate));
        Table(sb, result, "## Long-answer control FPR / plain clean FPR", (r) =>
            $"{(double.IsNaN(r.Report.ControlFalsePositiveRate) ? "–" : Pct(r.Report.ControlFalsePositiveRate))} / {(double.IsNaN(r.Report.CleanFalsePositiveRate) ? "–" : Pct(r.Report.CleanFalsePositiveRate))}");
        Table(sb, result, "## Threshold and the path that fired", (r) => $"{F(r.Threshold)} {Abbreviate(r.ThresholdMethod)}");
        L("Paths: `valley` = reliable KDE valley; `fb:unimodal`, `fb:too-few`, `fb:close`, `fb:interval` = the 0.7 fallback and why; `clusters` = GraCeFul's own decision.");
        L();

        L("## Stratified by answer length (AUROC within the bucket; F1 at the global threshold)");
        L();
        L("Buckets by T (answer tokens + EOS). `–` = a class is absent from the bucket. Format: AUROC / F1 (rows, poisoned).");
        L();
        foreach (var s in headline)
        {
            L($"### {s}");
            L();
            L("| attack | rate | " + string.Join(" | ", Metrics.LengthBuckets.Labels) + " |");
            L("|---|---|" + string.Concat(Enumerable.Repeat("---|", Metrics.LengthBuckets.Labels.Count)));
            foreach (var c in result.Cells)
            {
                var r = c.Score(s).Report;
                L($"| {c.Attack} | {Pct(c.Rate)} | " + string.Join(" | ", r.Buckets.Select(b =>
                    b.Rows == 0 ? "(0)" : $"{F(b.Auroc, "0.00")} / {F(b.Confusion.F1, "0.00")} ({b.Rows}, {b.Poisoned})")) + " |");
            }
            L();
        }
        return sb.ToString();
    }

    static void Table(StringBuilder sb, EvaluationResult result, string title, Func<ScoreResult, string> cell)
    {
        var scores = result.Options.Scores;
        sb.Append(title).Append("\n\n");
        sb.Append("| attack | rate | ").Append(string.Join(" | ", scores)).Append(" |\n");
        sb.Append("|---|---|").Append(string.Concat(Enumerable.Repeat("---|", scores.Count))).Append('\n');
        foreach (var c in result.Cells)
            sb.Append(CultureInfo.InvariantCulture, $"| {c.Attack} | {Pct(c.Rate)} | ").Append(string.Join(" | ", scores.Select(s => cell(c.Score(s))))).Append(" |\n");
        sb.Append('\n');
    }

    static string Abbreviate(string method) => method switch
    {
        Thresholds.ThresholdMethods.KdeValleyReliableBimodal => "valley",
        Thresholds.ThresholdMethods.FallbackUnimodal => "fb:unimodal",
        Thresholds.ThresholdMethods.FallbackTooFewSuspiciousSamples => "fb:too-few",
        Thresholds.ThresholdMethods.FallbackPeakTooClose => "fb:close",
        Thresholds.ThresholdMethods.FallbackNoValidPeakInterval => "fb:interval",
        Thresholds.ThresholdMethods.FallbackSmallN => "fb:small-n",
        Thresholds.ThresholdMethods.FallbackZeroVariance => "fb:zero-var",
        Thresholds.ThresholdMethods.FallbackTooNarrowRange => "fb:narrow",
        _ when method.StartsWith("own clusters", StringComparison.Ordinal) => "clusters",
        _ when method.StartsWith("own rule", StringComparison.Ordinal) => "own rule",
        _ => method,
    };
}
