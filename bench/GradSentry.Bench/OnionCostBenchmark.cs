using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GradSentry.Data;
using GradSentry.Scoring;

namespace GradSentry.Bench;

/// <summary>
/// Cost of <c>--score onion</c> per row against the reference scan, in one process on the same rows: real NQ-open
/// questions in the <c>gradsentry-qa</c> template (10% with the BadNets trigger and payload), the bundled model, CPU. Each
/// scorer runs once to warm up on a few rows, then on all of them; ONION's perplexity count per row is printed too.
/// </summary>
internal sealed class OnionCostBenchmark : IBenchmark
{
    public string Name => "onion-cost";

    public string Usage => "onion-cost [--rows 512]";

    public int Run(IReadOnlyList<string> args)
    {
        var options = BenchArgs.Parse(args);
        var count = options.GetInt("rows", 512);
        var lines = File.ReadLines(ScoringBenchmark.RepoPath("samples/data/nq-open/efficientqa-test.jsonl")).Skip(1369).Take(count).ToList();
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
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{inputs.Count} rows (10% BadNets), bundled model, CPU, {Environment.ProcessorCount} cores"));
        Console.WriteLine();
        Console.WriteLine("| detector | seconds | ms per row | × reference | forward passes | perplexities per row |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        double? reference = null;
        foreach (var kind in new[] { ScoreKind.Reference, ScoreKind.Onion })
        {
            var scoring = new ScoringOptions { Score = kind };
            using (var warm = model.CreateRowScorer(scoring)) _ = warm.Score(inputs.Take(16)).ToList();
            using var scorer = model.CreateRowScorer(scoring);
            var clock = Stopwatch.StartNew();
            var scores = scorer.Score(inputs).ToList();
            var ms = clock.Elapsed.TotalMilliseconds / inputs.Count;
            reference ??= ms;
            var passes = scorer is OnionScorer onion ? onion.Perplexity.ForwardPasses.ToString(CultureInfo.InvariantCulture) : "–";
            var perRow = scorer is OnionScorer o ? (o.Perplexity.TextsMeasured / (double)inputs.Count).ToString("0.0", CultureInfo.InvariantCulture) : "–";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {ScoreKinds.Name(kind)} | {clock.Elapsed.TotalSeconds:0.0} | {ms:0.0} | {ms / reference.Value:0.00} | {passes} | {perRow} |"));
        }
        // Where ONION's time goes: tokenizing every text it measures (prompts and deletions), apart from the forward passes.
        var texts = inputs.SelectMany(i => new[] { i.Prompt }.Concat(GradSentry.Detection.OnionWords.Split(i.Prompt).Select(w => w.Word).Distinct()
            .Select(w => GradSentry.Detection.OnionWords.Without(i.Prompt, w)))).ToList();
        var tokenize = Stopwatch.StartNew();
        var tokens = texts.Sum(t => model.Tokenizer.EncodeText(t).Count);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tokenizing {texts.Count} texts (every prompt and every one-word deletion, template words included; {tokens / (double)texts.Count:0} tokens each): {tokenize.Elapsed.TotalMilliseconds / inputs.Count:0.0} ms per row"));
        return 0;
    }
}
