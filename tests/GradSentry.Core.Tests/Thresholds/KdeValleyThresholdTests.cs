using System.Text.Json;
using GradSentry.Tests.Support;
using GradSentry.Thresholds;

namespace GradSentry.Tests.Thresholds;

public class KdeValleyThresholdTests
{
    static readonly string CasesPath = Path.Combine(TestPaths.Golden, "threshold_cases.json");

    public static TheoryData<string> CaseNames()
    {
        using var doc = GoldenJson.Load(CasesPath);
        var data = new TheoryData<string>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    public static TheoryData<string> ReferenceFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(TestPaths.Golden, "reference"), "*__*.json").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    static JsonElement Case(JsonDocument doc, string name) =>
        doc.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EachGoldenCaseGivesTheReferenceThresholdMethodFlagsAndDetails(string name)
    {
        using var doc = GoldenJson.Load(CasesPath);
        var c = Case(doc, name);
        var scores = GoldenJson.Numbers(c.GetProperty("scores"));

        var result = new KdeValleyThreshold(NonFiniteScores.Ignore).Fit(scores);

        Assert.Equal(c.GetProperty("expectedMethod").GetString(), result.Method);
        var expectedTau = c.GetProperty("expectedTau").GetDouble();
        var step = result.Details.GridStep ?? 0;
        Assert.True(Math.Abs(result.Value - expectedTau) <= Math.Max(step, 1e-12),
            $"tau {result.Value:R} vs {expectedTau:R} (grid step {step:R})");
        Assert.Equal(c.GetProperty("expectedFlagged").GetInt32(), result.Details.FlaggedCount);
        Assert.Equal(c.GetProperty("expectedFlagged").GetInt32(), scores.Count(s => s > result.Value));
        AssertDetails(c.GetProperty("details"), result);
    }

    [Theory]
    [MemberData(nameof(ReferenceFiles))]
    public void ReferenceRunScoresGiveTheReferenceThresholdAndFlags(string file)
    {
        using var doc = GoldenJson.Load(Path.Combine(TestPaths.Golden, "reference", file));
        var root = doc.RootElement;
        var samples = root.GetProperty("samples").EnumerateArray().ToArray();
        var scores = samples.Select(s => GoldenJson.Number(s.GetProperty("score"))).ToArray();

        var result = new KdeValleyThreshold().Fit(scores);

        Assert.Equal(root.GetProperty("thresholdMethod").GetString(), result.Method);
        Assert.Equal(root.GetProperty("threshold").GetDouble(), result.Value, 1e-12);
        AssertDetails(root.GetProperty("thresholdDetails"), result);
        Assert.Equal(
            samples.Select(s => s.GetProperty("flagged").GetBoolean()).ToArray(),
            scores.Select(result.IsFlagged).ToArray());
        Assert.Equal(root.GetProperty("numFlagged").GetInt32(), result.Details.FlaggedCount);

        var lowRank = new KdeValleyThreshold().Fit([.. samples.Select(s => GoldenJson.Number(s.GetProperty("scoreLowRank")))]);
        Assert.Equal(root.GetProperty("thresholdMethodLowRank").GetString(), lowRank.Method);
        Assert.Equal(root.GetProperty("thresholdLowRank").GetDouble(), lowRank.Value, 1e-12);
    }

    static void AssertDetails(JsonElement expected, ThresholdResult actual)
    {
        var d = actual.Details;
        Assert.Equal(expected.GetProperty("method").GetString(), actual.Method);
        Assert.Equal(expected.GetProperty("tau").GetDouble(), actual.Value, 1e-12);
        Assert.Equal(expected.GetProperty("numSamples").GetInt32(), d.NumSamples);
        AssertOptional(expected, "bandwidth", d.Bandwidth, (e, a) => Assert.Equal(e.GetDouble(), a!.Value, e.GetDouble() * 1e-12));
        AssertOptional(expected, "peakIndices", d.PeakIndices, (e, a) => Assert.Equal(GoldenJson.Ints(e), a!));
        AssertOptional(expected, "leftPeakIndex", d.LeftPeakIndex, (e, a) => Assert.Equal(e.GetInt32(), a));
        AssertOptional(expected, "rightPeakIndex", d.RightPeakIndex, (e, a) => Assert.Equal(e.GetInt32(), a));
        AssertOptional(expected, "leftPeak", d.LeftPeak, (e, a) => Assert.Equal(e.GetDouble(), a!.Value, 1e-12));
        AssertOptional(expected, "rightPeak", d.RightPeak, (e, a) => Assert.Equal(e.GetDouble(), a!.Value, 1e-12));
        AssertOptional(expected, "valleyIndex", d.ValleyIndex, (e, a) => Assert.Equal(e.GetInt32(), a));
        AssertOptional(expected, "tauCandidate", d.TauCandidate, (e, a) => Assert.Equal(e.GetDouble(), a!.Value, 1e-12));
        AssertOptional(expected, "suspectCount", d.SuspectCount, (e, a) => Assert.Equal(e.GetInt32(), a));
        AssertOptional(expected, "suspectRatio", d.SuspectRatio, (e, a) => Assert.Equal(e.GetDouble(), a!.Value, 1e-15));
    }

    static void AssertOptional<T>(JsonElement expected, string name, T actual, Action<JsonElement, T> check)
    {
        if (expected.TryGetProperty(name, out var e))
        {
            Assert.True(actual is not null, $"'{name}' is expected but missing");
            check(e, actual);
        }
        else
        {
            Assert.True(actual is null, $"'{name}' is not in the reference details but was set");
        }
    }
}
