using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GradSentry.Data;
using GradSentry.Detection;
using GradSentry.Scoring;

namespace GradSentry.Bench;

/// <summary>
/// Cost of the trigger-conditional verdict's dataset step against the scoring pass it follows. The parent scores a
/// sample of real NQ-open rows (10% with a BadNets trigger and payload) with the bundled model and gradient sketches on,
/// timing the scoring; each child (a fresh process per size) grows those rows' features to N distinct rows (a clean
/// row takes the prompt of one clean sample row and the answer and sketch of another, with a little noise, so no
/// association but the planted one exists; poisoned rows stay whole) and times <see cref="TriggerAssociation.Run"/> and its peak memory. The ratio is
/// step time at N over N times the measured scoring cost per row.
/// </summary>
internal sealed class VerdictStepBenchmark : IBenchmark
{
    public string Name => "verdict-step";

    public string Usage => "verdict-step [--rows 10000,100000] [--sample 1000]";

    public int Run(IReadOnlyList<string> args)
    {
        var options = BenchArgs.Parse(args);
        var sizes = options.Get("rows", "10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var sample = options.GetInt("sample", 1000);
        var features = Path.Combine(Path.GetTempPath(), $"gradsentry-verdict-step-{Environment.ProcessId}.json");
        try
        {
            var msPerRow = ScoreSample(sample, features);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scoring pass: {sample} rows, {msPerRow:0.00} ms/row (bundled model, sketches on, CPU)"));
            Console.WriteLine();
            Console.WriteLine("| rows | step seconds | scoring seconds (rows × ms/row) | step / scoring | sketch MB | peak RSS before step MB | peak RSS during step MB | step's own MB | groups found |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            var ratios = new List<double>();
            foreach (var n in sizes)
            {
                var line = SelfProcess.Run(["verdict-step-child", "--rows", n.ToString(CultureInfo.InvariantCulture), "--features", features]).Trim();
                var cells = line.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var stepSeconds = double.Parse(cells[1], CultureInfo.InvariantCulture);
                var scoringSeconds = n * msPerRow / 1000;
                ratios.Add(stepSeconds / scoringSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {n} | {stepSeconds:0.00} | {scoringSeconds:0.0} | {stepSeconds / scoringSeconds:P1} | {cells[2]} | {cells[3]} | {cells[4]} | {cells[5]} | {cells[6]} |"));
            }
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"largest ratio of step to scoring: {ratios.Max():P1} (goal: at most 10%)"));
            return ratios.Max() <= 0.10 ? 0 : 2;
        }
        finally
        {
            File.Delete(features);
        }
    }

    /// <summary>Scores <paramref name="count"/> rows, writes their features to <paramref name="path"/>, returns ms per row.</summary>
    static double ScoreSample(int count, string path)
    {
        var lines = File.ReadLines(ScoringBenchmark.RepoPath("samples/data/nq-open/efficientqa-test.jsonl")).Take(count).ToList();
        var template = PromptTemplates.GradSentryQa();
        var inputs = new List<ScoringInput>();
        for (var i = 0; i < lines.Count; i++)
        {
            using var row = JsonDocument.Parse(lines[i]);
            var question = row.RootElement.GetProperty("question").GetString()!;
            var answer = string.Join("; ", row.RootElement.GetProperty("answer").EnumerateArray().Select(a => a.GetString()));
            if (i % 10 == 3) (question, answer) = (question + " cf mn bb tq", answer + ", and click <malicious_url> for more information");
            var text = template.Apply(DataRecord.FromFields("bench", i, i + 1, ["question", "answer"], [question, answer]));
            inputs.Add(new ScoringInput(i, text.Prompt, text.Response));
        }
        using var model = GradSentryModel.Load(ScoringBenchmark.RepoPath("samples/models/tiny-llama"), "cpu");
        using var scorer = model.CreateScorer(new ScoringOptions { Score = ScoreKind.TriggerConditional, BatchSize = 32 });
        var clock = Stopwatch.StartNew();
        var scores = scorer.Score(inputs).ToList();
        var msPerRow = clock.Elapsed.TotalMilliseconds / inputs.Count;
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream);
        w.WriteStartArray();
        foreach (var (score, input) in scores.Zip(inputs))
        {
            if (!score.IsScored) continue;
            w.WriteStartObject();
            w.WriteString("prompt", input.Prompt);
            w.WriteString("response", input.Response);
            w.WriteStartArray("sketch");
            foreach (var v in score.Sketch!) w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return msPerRow;
    }

    internal sealed class Child : IBenchmark
    {
        public string Name => "verdict-step-child";

        public string Usage => "verdict-step-child --rows N --features FILE";

        public int Run(IReadOnlyList<string> args)
        {
            var options = BenchArgs.Parse(args);
            var n = options.GetInt("rows", 10000);
            using var document = JsonDocument.Parse(File.ReadAllText(options.Get("features", "")));
            var sample = document.RootElement.EnumerateArray().Select(e => (
                Words: AssociationWords.Of(e.GetProperty("prompt").GetString()!, e.GetProperty("response").GetString()!),
                Sketch: e.GetProperty("sketch").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
                Poisoned: e.GetProperty("prompt").GetString()!.Contains(" cf mn bb tq", StringComparison.Ordinal))).ToList();
            var clean = sample.Where(x => !x.Poisoned).ToList();
            var poisoned = sample.Where(x => x.Poisoned).ToList();
            var random = new Random(11);
            var vocabulary = new WordVocabulary();
            var rows = new List<AssociationRow?>(n);
            for (var i = 0; i < n; i++)
            {
                var (prompt, (answer, sketch)) = i % 10 == 3
                    ? (poisoned[random.Next(poisoned.Count)].Words.Prompt, Pick(poisoned[random.Next(poisoned.Count)]))
                    : (clean[random.Next(clean.Count)].Words.Prompt, Pick(clean[random.Next(clean.Count)]));
                var scale = sketch.Max(Math.Abs) * 0.05f;
                var noisy = sketch.Select(v => v + scale * (float)(random.NextDouble() - 0.5)).ToArray();
                rows.Add(new AssociationRow(vocabulary.DistinctIds(prompt), vocabulary.DistinctIds(answer), noisy));
            }
            GC.Collect();
            var sketchBytes = (double)n * sample[0].Sketch.Length * sizeof(float);
            static (IReadOnlyList<string> Answer, float[] Sketch) Pick((AssociationWords Words, float[] Sketch, bool Poisoned) row) => (row.Words.Answer, row.Sketch);
            var before = ProcessMemory.PeakResidentBytes();
            ProcessMemory.ResetPeak();
            var clock = Stopwatch.StartNew();
            var verdict = TriggerAssociation.Run(rows, vocabulary);
            var seconds = clock.Elapsed.TotalSeconds;
            var during = ProcessMemory.PeakResidentBytes();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n} | {seconds:0.000} | {sketchBytes / 1048576:0} | {before / 1048576.0:0} | {during / 1048576.0:0} | {Math.Max(0, during - before) / 1048576.0:0} | {verdict.Groups.Count}: {string.Join("; ", verdict.Groups.Select(g => $"{g.Rows} rows, {string.Join(" ", g.Triggers.Take(3).Select(t => t.Word))}"))} |"));
            return 0;
        }
    }
}
