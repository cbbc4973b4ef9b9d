using System.Text.Json;
using GradSentry.Scanning;
using GradSentry.Scoring;
using GradSentry.Tests.Support;
using Xunit.Abstractions;

namespace GradSentry.Tests.Scanning;

/// <summary>Our scores against an independent PyTorch implementation of the reference (tests/fixtures/golden).</summary>
public class GoldenScoreParityTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases => new()
    {
        { "tiny-llama", "qa_n200_p0.1_s3" },
        { "tiny-llama", "qa_n60_p0.5_s4" },
        { "tiny-llama-sharp", "qa_n200_p0.1_s3" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ClosedFormScoresLossesAndFlagsMatchTheReference(string model, string data)
    {
        var (result, reference) = Scan(model, data, naive: false);
        AssertMatches(result, reference, data);
    }

    [Fact]
    public void NaiveReferenceLoopMatchesTheReferenceToo()
    {
        var (result, reference) = Scan("tiny-llama", "qa_n60_p0.5_s4", naive: true);
        AssertMatches(result, reference, "qa_n60_p0.5_s4");
    }

    static (ScanResult Result, JsonElement Reference) Scan(string model, string data, bool naive)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Golden, "reference", $"{model}__{data}.json")));
        var reference = json.RootElement.Clone();
        var options = new ScanOptions
        {
            ModelDirectory = TestPaths.GoldenModel(model),
            Device = "cpu",
            Scoring = new ScoringOptions
            {
                Naive = naive,
                BatchSize = 16,
                // The reference keeps G[:V//8, :H//8]; its file records the block, [32, 16] for V = 259, H = 128.
                Probe = new ProbeOptions { Rank = reference.GetProperty("svdRank").GetInt32(), SliceFactor = 8 },
            },
        };
        var block = reference.GetProperty("gradientSlice").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal([259 / 8, 128 / 8], block);
        var result = DatasetScanner.Run([Path.Combine(TestPaths.Golden, "data", data + ".jsonl")], options);
        return (result, reference);
    }

    void AssertMatches(ScanResult result, JsonElement reference, string data)
    {
        var samples = reference.GetProperty("samples").EnumerateArray().ToList();
        Assert.Equal(samples.Count, result.Rows.Count);
        double maxScore = 0, maxLoss = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            var expected = samples[i];
            var row = result.Rows[i];
            Assert.True(row.Score.IsScored, row.Score.Error);
            Assert.Equal(expected.GetProperty("answerTokens").GetInt32(), row.Score.AnswerTokens);
            maxScore = Math.Max(maxScore, Math.Abs(expected.GetProperty("score").GetDouble() - row.Score.Score));
            maxLoss = Math.Max(maxLoss, Math.Abs(expected.GetProperty("loss").GetDouble() - row.Score.Loss));
            Assert.Equal(expected.GetProperty("gradNorm").GetDouble(), row.Score.GradientNorm, 1e-3 * Math.Max(1, expected.GetProperty("gradNorm").GetDouble()));
            Assert.Equal(expected.GetProperty("flagged").GetBoolean(), row.Verdict.Flagged);
        }
        output.WriteLine($"{data}: max |Δscore| = {maxScore:E2}, max |Δloss| = {maxLoss:E2}, threshold {result.Summary.Threshold.Value} ({result.Summary.Threshold.Method})");
        Assert.True(maxScore <= 1e-4, $"max score error {maxScore}");
        Assert.True(maxLoss <= 1e-4, $"max loss error {maxLoss}");
        Assert.Equal(reference.GetProperty("thresholdMethod").GetString(), result.Summary.Threshold.Method);
        Assert.Equal(reference.GetProperty("threshold").GetDouble(), result.Summary.Threshold.Value, 2e-3);
    }
}
