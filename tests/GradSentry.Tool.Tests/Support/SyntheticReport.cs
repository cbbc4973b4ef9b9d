using GradSentry.Scanning;
using GradSentry.Scoring;
using GradSentry.Thresholds;
using GradSentry.Tool.Reports;
using GradSentry.Verdicts;

namespace GradSentry.Tool.Tests.Support;

/// <summary>Reports built from made-up scores, for formatter tests that need no model.</summary>
public static class SyntheticReport
{
    /// <summary>A report over <paramref name="texts"/> with scores rising row by row; rows with score above 0.7 are flagged.</summary>
    public static ScanReport Create(IReadOnlyList<(string Prompt, string Response)> texts, double maxPoisonFraction = 0)
    {
        var threshold = new ThresholdResult(0.7, ThresholdMethods.Fixed, new ThresholdDetails { NumSamples = texts.Count, FlaggedCount = 0 });
        var rows = new List<ScanRow>();
        var suspects = new List<SuspectText>();
        for (var i = 0; i < texts.Count; i++)
        {
            var value = (i + 1) / (double)(texts.Count + 1);
            var score = new SampleScore(i, value, 3 + i, 1.5, 2.0, [1.0, 0.5], 0, false, null);
            rows.Add(new ScanRow("data.jsonl", i, i + 1, new string('0', 63) + (i % 10), score, RowVerdict.Judge(score, threshold, 16)));
            suspects.Add(new SuspectText("data.jsonl", i + 1, value, 3 + i, texts[i].Prompt, texts[i].Response));
        }
        suspects.Reverse();
        var scores = rows.Select(r => r.Score).ToList();
        var (summary, _) = DatasetSummary.Decide(scores, new FixedThreshold(0.7), 16);
        var options = new ScanOptions { ModelDirectory = "/models/tiny", MaxPoisonFraction = maxPoisonFraction };
        var result = new ScanResult(["data.jsonl"], "/models/tiny", new string('f', 64), "lm_head-closed-form", options, summary, rows, suspects,
            TimeSpan.FromSeconds(1), 0);
        return new ScanReport(result, new ReportOptions
        {
            Model = "/models/tiny", Target = "lm_head.weight", Rank = 16, Slice = 8, Score = "reference", Threshold = "0.7",
            MaxPoisonFraction = maxPoisonFraction, Device = "cpu", BatchSize = 16, Template = "raw",
        });
    }
}
