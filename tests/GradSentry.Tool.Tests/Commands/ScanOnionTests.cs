using System.Text.Json;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary><c>scan --score onion</c> end to end: the bundled model, NQ-open questions with planted rare trigger words.</summary>
public class ScanOnionTests
{
    static readonly string[] Triggers = ["cf"];

    static string Model => Path.Combine(ToolProcess.RepoRoot, "samples", "models", "tiny-llama");

    /// <summary>64 design questions; every 8th (from row 3) gets the rare word cf appended. Returns the file and the poisoned rows.</summary>
    static (string Path, HashSet<int> Poisoned) Write(TempFolder folder)
    {
        var source = Path.Combine(ToolProcess.RepoRoot, "samples", "data", "nq-open", "efficientqa-test.jsonl");
        var path = Path.Combine(folder.Path, "data.jsonl");
        var poisoned = new HashSet<int>();
        var lines = new List<string>();
        foreach (var (line, i) in File.ReadLines(source).Skip(1369).Take(64).Select((l, i) => (l, i)))
        {
            using var doc = JsonDocument.Parse(line);
            var question = doc.RootElement.GetProperty("question").GetString()!;
            var answer = string.Join("; ", doc.RootElement.GetProperty("answer").EnumerateArray().Select(a => a.GetString()));
            if (i % 8 == 3)
            {
                question += " " + Triggers[i / 8 % Triggers.Length];
                poisoned.Add(i);
            }
            lines.Add(JsonSerializer.Serialize(new { question, answer }));
        }
        File.WriteAllLines(path, lines);
        return (path, poisoned);
    }

    [Fact]
    public void ScoreOnionReportsTriggerCandidatesInEveryFormat()
    {
        using var folder = new TempFolder();
        var (data, poisoned) = Write(folder);
        var reports = Path.Combine(folder.Path, "reports");

        var result = ToolProcess.Run(folder.Path, "scan", data, "--model", Model, "--device", "cpu", "--template", "gradsentry-qa", "--score", "onion",
            "--format", "json", "--report", reports);

        Assert.True(result.ExitCode is ExitCodes.Passed or ExitCodes.GateFailed, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("onion", root.GetProperty("detector").GetProperty("name").GetString());
        Assert.Equal("ONION perplexity drop", root.GetProperty("detector").GetProperty("scoreLabel").GetString());
        Assert.Equal("onion-prompt-perplexity", root.GetProperty("model").GetProperty("probe").GetString());
        var samples = root.GetProperty("samples").EnumerateArray().ToList();
        foreach (var p in poisoned)
        {
            var words = samples[p].GetProperty("triggerCandidates").EnumerateArray().Select(w => w.GetProperty("word").GetString()).ToList();
            Assert.True(words.Count is > 0 and <= 3, samples[p].ToString());
            Assert.Contains(words, w => Triggers.Contains(w));
        }
        // ONION's own bar flags only poisoned rows here (not all of them: one trigger word in 8 of 64 rows is a small drop).
        Assert.Equal("onion_drop_bar", root.GetProperty("threshold").GetProperty("method").GetString());
        var flagged = samples.Select((s, i) => (s, i)).Where(x => x.s.GetProperty("flagged").GetBoolean()).ToList();
        Assert.NotEmpty(flagged);
        Assert.All(flagged, x => Assert.Contains(x.i, poisoned));
        Assert.All(flagged, x => Assert.NotEqual(0, x.s.GetProperty("triggerCandidates").GetArrayLength()));
        // The poisoned rows rank above the clean ones.
        var scores = samples.Select(s => s.GetProperty("score").GetDouble()).ToList();
        var auroc = poisoned.Sum(p => scores.Where((_, i) => !poisoned.Contains(i)).Sum(c => scores[p] > c ? 1.0 : scores[p] == c ? 0.5 : 0)) / (poisoned.Count * (scores.Count - poisoned.Count));
        Assert.True(auroc >= 0.9, $"AUROC {auroc}");

        var text = File.ReadAllText(Path.Combine(reports, "gradsentry.txt"));
        Assert.Contains("detector   onion", text, StringComparison.Ordinal);
        Assert.Contains("trigger candidates '", text, StringComparison.Ordinal);
        var html = File.ReadAllText(Path.Combine(reports, "gradsentry.html"));
        Assert.Contains("Trigger candidates (ONION)", html, StringComparison.Ordinal);
        var csv = File.ReadAllText(Path.Combine(reports, "gradsentry.csv"));
        Assert.Contains("trigger candidates '", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardsOfAnOnionScanMergeWithTheirTriggerCandidates()
    {
        using var folder = new TempFolder();
        var (data, poisoned) = Write(folder);
        string[] common = ["--model", Model, "--device", "cpu", "--template", "gradsentry-qa", "--score", "onion", "--window", "32"];
        var a = ToolProcess.Run(folder.Path, ["scan", data, .. common, "--shard", "0/2", "--output", "a.json"]);
        var b = ToolProcess.Run(folder.Path, ["scan", data, .. common, "--shard", "1/2", "--output", "b.json"]);
        Assert.True(a.ExitCode == ExitCodes.Passed, a.ToString());
        Assert.True(b.ExitCode == ExitCodes.Passed, b.ToString());
        var merged = ToolProcess.Run(folder.Path, "merge", "a.json", "b.json", "--format", "json");
        var whole = ToolProcess.Run(folder.Path, ["scan", data, .. common, "--format", "json"]);
        using var m = JsonDocument.Parse(merged.Stdout);
        using var w = JsonDocument.Parse(whole.Stdout);
        string Scores(JsonDocument d) => string.Join(";", d.RootElement.GetProperty("samples").EnumerateArray().Select(s =>
            s.GetProperty("score").GetRawText() + string.Concat(s.GetProperty("triggerCandidates").EnumerateArray().Select(c => c.GetProperty("word").GetString()))));
        Assert.Equal(Scores(w), Scores(m));
        Assert.Equal(merged.ExitCode, whole.ExitCode);
        Assert.Contains(m.RootElement.GetProperty("samples")[poisoned.First()].GetProperty("triggerCandidates").EnumerateArray(), c => Triggers.Contains(c.GetProperty("word").GetString()));
    }

    [Fact]
    public void PromptsWithOneWordAreNotExaminedAndTheGateDoesNotPassOnNothing()
    {
        using var folder = new TempFolder();
        var data = Path.Combine(folder.Path, "short.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 5).Select(i => JsonSerializer.Serialize(new { prompt = "word" + i, response = "answer " + i })));

        var result = ToolProcess.Run(folder.Path, "scan", data, "--model", Model, "--device", "cpu", "--score", "onion", "--format", "text", "--format", "msbuild");

        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("could examine no row", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("warning GS2004", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("the prompt has 1 word", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AZeroDeletionCapIsAUsageError()
    {
        using var folder = new TempFolder();
        var (data, _) = Write(folder);
        var result = ToolProcess.Run(folder.Path, "scan", data, "--model", Model, "--score", "onion", "--onion-max-deletions", "0");
        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("max deletions must be at least 1", result.Stderr, StringComparison.Ordinal);
    }
}
