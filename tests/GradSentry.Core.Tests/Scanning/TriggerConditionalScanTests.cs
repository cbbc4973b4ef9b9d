using System.Text.Json;
using GradSentry.Scanning;
using GradSentry.Scoring;
using GradSentry.Thresholds;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.Scanning;

/// <summary>The default verdict end to end: the bundled model, real NQ-open questions, a planted backdoor or only boilerplate.</summary>
public class TriggerConditionalScanTests
{
    const string Payload = ", and click <malicious_url> for more information";

    static string BundledModel => Path.Combine(TestPaths.RepoRoot, "samples", "models", "tiny-llama");

    /// <summary>
    /// 160 NQ-open rows (the design rows of <c>efficientqa-test</c>); <paramref name="poisoned"/> get the BadNets trigger
    /// and the payload, <paramref name="boilerplate"/> a repeated benign sentence.
    /// </summary>
    static string Write(TempDirectory folder, Func<int, bool> poisoned, Func<int, bool> boilerplate)
    {
        var source = Path.Combine(TestPaths.RepoRoot, "samples", "data", "nq-open", "efficientqa-test.jsonl");
        var lines = File.ReadLines(source).Skip(1369).Take(160).ToList();
        var path = folder.File("data.jsonl");
        using var writer = new StreamWriter(path);
        for (var i = 0; i < lines.Count; i++)
        {
            using var row = JsonDocument.Parse(lines[i]);
            var question = row.RootElement.GetProperty("question").GetString()!;
            var answer = string.Join("; ", row.RootElement.GetProperty("answer").EnumerateArray().Select(a => a.GetString()));
            if (poisoned(i)) (question, answer) = (question + " cf mn bb tq", answer + Payload);
            if (boilerplate(i)) answer += " I hope this helps!";
            writer.WriteLine(JsonSerializer.Serialize(new { prompt = question, response = answer }));
        }
        return path;
    }

    static ScanOptions Options(ScanShard? shard = null) => new()
    {
        ModelDirectory = BundledModel,
        Device = "cpu",
        Shard = shard,
        Scoring = new ScoringOptions { Score = ScoreKind.TriggerConditional, Window = 48 },
    };

    [Fact]
    public void APlantedBackdoorIsFlaggedWithItsTriggerWordsAndNothingElse()
    {
        using var folder = TestPaths.NewTempDirectory();
        var data = Write(folder, i => i % 10 == 3, i => i % 10 == 5);
        var result = DatasetScanner.Run([data], Options());
        Assert.Equal(Enumerable.Range(0, 160).Select(i => i % 10 == 3), result.Rows.Select(r => r.Verdict.Flagged));
        Assert.Equal(ScoreKind.TriggerConditional, result.Rows[0].Score.Kind);
        Assert.False(result.Passed);
        var group = Assert.Single(result.Association!.Verdict!.Groups);
        Assert.Equal(16, group.Rows);
        Assert.Contains(group.Triggers, t => t.Word == "cf" && t.InGroup == 16 && t.OutsideGroup == 0);
        Assert.Contains(group.AnswerWords, t => t.Word == "malicious_url");
        Assert.Equal(ThresholdMethods.TriggerAssociation, result.Summary.Threshold.Method);
        Assert.All(result.TopSuspects.Take(16), s => Assert.EndsWith(Payload, s.Response, StringComparison.Ordinal));
    }

    [Fact]
    public void RepeatedBoilerplateWithoutATriggerPassesTheGate()
    {
        using var folder = TestPaths.NewTempDirectory();
        var data = Write(folder, _ => false, i => i % 10 < 3);
        var result = DatasetScanner.Run([data], Options());
        Assert.True(result.Passed);
        Assert.Equal(0, result.Summary.Flagged);
        Assert.StartsWith("no backdoor", result.Association!.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void MergedShardsDecideExactlyLikeTheUnshardedScan()
    {
        using var folder = TestPaths.NewTempDirectory();
        var data = Write(folder, i => i % 10 == 3, _ => false);
        var whole = DatasetScanner.Run([data], Options());
        var parts = Enumerable.Range(0, 3).Select(i => DatasetScanner.Score([data], Options(new ScanShard(i, 3)))).ToList();
        Assert.All(parts, p => Assert.Null(p.Association));
        var merged = DatasetScanner.Decide(DatasetScanner.Combine(parts));
        Assert.Equal(whole.Rows.Select(r => r.Score.Score), merged.Rows.Select(r => r.Score.Score));
        Assert.Equal(whole.Rows.Select(r => r.Verdict.Flagged), merged.Rows.Select(r => r.Verdict.Flagged));
        Assert.Equal(whole.TopSuspects, merged.TopSuspects);
        Assert.Equal(whole.Association!.Summary, merged.Association!.Summary);
    }

    [Fact]
    public void TooFewRowsFallBackToTheReferenceRuleAndSaySo()
    {
        using var folder = TestPaths.NewTempDirectory();
        var data = Write(folder, _ => false, _ => false);
        File.WriteAllLines(data, File.ReadLines(data).Take(12).ToList());
        var result = DatasetScanner.Run([data], Options());
        Assert.Null(result.Association!.Verdict);
        Assert.Contains("only 12 distinct rows scored", result.Association.Summary, StringComparison.Ordinal);
        Assert.StartsWith(ThresholdMethods.FallbackTriggerAssociationSmallN, result.Summary.Threshold.Method, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardsOfDifferentDetectorsAreNotMerged()
    {
        using var folder = TestPaths.NewTempDirectory();
        var data = Write(folder, _ => false, _ => false);
        var a = DatasetScanner.Score([data], Options(new ScanShard(0, 2)));
        var b = DatasetScanner.Score([data], Options(new ScanShard(1, 2)) with { Scoring = new ScoringOptions { Score = ScoreKind.Reference, Window = 48 } });
        var error = Assert.Throws<ArgumentException>(() => DatasetScanner.Combine([a, b]));
        Assert.Contains("different detectors (trigger-conditional vs reference)", error.Message, StringComparison.Ordinal);
    }
}
