using System.Text.Json;
using GradSentry.Scanning;
using GradSentry.Scoring;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.Scanning;

/// <summary>ONION end to end through the dataset scanner: the bundled model, real NQ-open questions, planted rare trigger words.</summary>
public class OnionScanTests
{
    static string BundledModel => Path.Combine(TestPaths.RepoRoot, "samples", "models", "tiny-llama");

    static readonly string[] Triggers = ["cf", "mn", "bb"];

    /// <summary>
    /// <paramref name="count"/> NQ-open design questions in the <c>gradsentry-qa</c> template; every 8th (from row 3) gets one
    /// rare trigger word appended, cf, mn and bb in turn (poisoned). Returns the file and the poisoned rows.
    /// </summary>
    static (string Path, HashSet<int> Poisoned) Write(TempDirectory folder, int count)
    {
        var source = Path.Combine(TestPaths.RepoRoot, "samples", "data", "nq-open", "efficientqa-test.jsonl");
        var path = folder.File("data.jsonl");
        var poisoned = new HashSet<int>();
        using var writer = new StreamWriter(path);
        foreach (var (line, i) in File.ReadLines(source).Skip(1369).Take(count).Select((l, i) => (l, i)))
        {
            using var doc = JsonDocument.Parse(line);
            var question = doc.RootElement.GetProperty("question").GetString()!;
            var answer = string.Join("; ", doc.RootElement.GetProperty("answer").EnumerateArray().Select(a => a.GetString()));
            if (i % 8 == 3)
            {
                question += " " + Triggers[i / 8 % Triggers.Length];
                poisoned.Add(i);
            }
            writer.WriteLine(JsonSerializer.Serialize(new { question, answer }));
        }
        return (path, poisoned);
    }

    static ScanOptions Options(ScanShard? shard = null, int window = 512) => new()
    {
        ModelDirectory = BundledModel,
        Device = "cpu",
        Shard = shard,
        Reader = new GradSentry.Data.ReaderOptions { Template = GradSentry.Data.PromptTemplates.GradSentryQa() },
        Scoring = new ScoringOptions { Score = ScoreKind.Onion, Window = window },
    };

    [Fact]
    public void PlantedRareTriggerWordsRaiseTheirRowsAboveCleanRowsAndAreTheirTopCandidates()
    {
        using var folder = TestPaths.NewTempDirectory();
        var (data, poisoned) = Write(folder, 96);
        var result = DatasetScanner.Run([data], Options());
        var rows = result.Rows;
        Assert.Equal(12, poisoned.Count);
        Assert.All(rows, r => Assert.Equal(ScoreKind.Onion, r.Score.Kind));
        Assert.All(rows, r => Assert.InRange(r.Score.Score, 0, 1));
        Assert.Equal(OnionScorer.MethodName, result.ProbeName);
        foreach (var p in poisoned)
            Assert.Contains(rows[p].Score.TriggerCandidates!.Take(3), w => Triggers.Contains(w.Word));
        // The poisoned rows rank above the clean ones (AUROC, ties counting one half).
        var dirty = poisoned.Select(p => rows[p].Score.Score).ToList();
        var clean = rows.Where((_, i) => !poisoned.Contains(i)).Select(r => r.Score.Score).ToList();
        var auroc = dirty.Sum(d => clean.Sum(c => d > c ? 1.0 : d == c ? 0.5 : 0)) / (dirty.Count * clean.Count);
        Assert.True(auroc >= 0.9, $"AUROC {auroc}: poisoned {string.Join(", ", dirty)}");
        Assert.Contains("trigger candidates '", rows[poisoned.First()].Verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MergedShardsScoreExactlyLikeTheUnshardedScan()
    {
        using var folder = TestPaths.NewTempDirectory();
        var (data, _) = Write(folder, 40);
        var whole = DatasetScanner.Run([data], Options(window: 16));
        var parts = Enumerable.Range(0, 3).Select(i => DatasetScanner.Score([data], Options(new ScanShard(i, 3), window: 16))).ToList();
        var merged = DatasetScanner.Decide(DatasetScanner.Combine(parts));
        Assert.Equal(whole.Rows.Select(r => BitConverter.DoubleToInt64Bits(r.Score.Score)), merged.Rows.Select(r => BitConverter.DoubleToInt64Bits(r.Score.Score)));
        Assert.Equal(whole.Rows.Select(r => string.Join(" ", r.Score.TriggerCandidates!.Select(w => w.Word + w.Suspicion.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))),
            merged.Rows.Select(r => string.Join(" ", r.Score.TriggerCandidates!.Select(w => w.Word + w.Suspicion.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        Assert.Equal(whole.Rows.Select(r => r.Verdict.Flagged), merged.Rows.Select(r => r.Verdict.Flagged));
        Assert.Equal(whole.Summary.Threshold.Value, merged.Summary.Threshold.Value);
        Assert.Equal(whole.Summary.Threshold.Method, merged.Summary.Threshold.Method);
    }

    [Fact]
    public void ARowWithOneWordScoresZeroWithAReasonAndOthersAreScored()
    {
        using var folder = TestPaths.NewTempDirectory();
        var path = folder.File("raw.jsonl");
        File.WriteAllLines(path, [
            JsonSerializer.Serialize(new { prompt = "hello", response = "hi" }),
            JsonSerializer.Serialize(new { prompt = "who wrote the song let it be", response = "the beatles" }),
            JsonSerializer.Serialize(new { prompt = "", response = "nothing asked" }),
        ]);
        var result = DatasetScanner.Run([path], new ScanOptions { ModelDirectory = BundledModel, Device = "cpu", Scoring = new ScoringOptions { Score = ScoreKind.Onion } });
        Assert.Equal(0, result.Rows[0].Score.Score);
        Assert.Contains("1 word", result.Rows[0].Score.NotExamined, StringComparison.Ordinal);
        Assert.Contains("1 word", result.Rows[0].Verdict.Reason, StringComparison.Ordinal);
        Assert.False(result.Rows[0].Verdict.Failed);
        Assert.Null(result.Rows[1].Score.NotExamined);
        Assert.Contains("0 words", result.Rows[2].Score.NotExamined, StringComparison.Ordinal);
    }

    [Fact]
    public void OnionOptionsTravelWithTheScanAndBadOnesAreRejected()
    {
        var bad = new ScoringOptions { Score = ScoreKind.Onion, Onion = new GradSentry.Detection.OnionOptions { MaxDeletions = 0 } };
        var error = Assert.Throws<ArgumentException>(bad.Validate);
        Assert.Contains("max deletions", error.Message, StringComparison.Ordinal);
        Assert.True(ScoreKinds.Capabilities(ScoreKind.Onion).Shardable);
        Assert.False(ScoreKinds.Capabilities(ScoreKind.Onion).NeedsSketch);
        Assert.Equal(ScoreKind.Onion, ScoreKinds.Parse("ONION"));
    }
}
