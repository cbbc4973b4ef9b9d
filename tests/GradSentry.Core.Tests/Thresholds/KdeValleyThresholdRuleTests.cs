using GradSentry.Thresholds;

namespace GradSentry.Tests.Thresholds;

public class KdeValleyThresholdRuleTests
{
    /// <summary>A deterministic two-cluster sample: <paramref name="clean"/> scores around 0.3, <paramref name="poison"/> around 0.85.</summary>
    static double[] TwoClusters(int clean, int poison)
    {
        var scores = new List<double>();
        for (var i = 0; i < clean; i++) scores.Add(0.3 + 0.08 * Math.Sin(i * 1.7));
        for (var i = 0; i < poison; i++) scores.Add(0.8 + 0.08 * Math.Cos(i * 2.3));
        return [.. scores];
    }

    [Fact]
    public void TwoSeparatedClustersGiveAValleyBetweenThem()
    {
        var scores = TwoClusters(80, 20);
        var result = new KdeValleyThreshold().Fit(scores);
        Assert.Equal(ThresholdMethods.KdeValleyReliableBimodal, result.Method);
        Assert.InRange(result.Value, 0.4, 0.8);
        Assert.Equal(20, result.Details.FlaggedCount);
        Assert.Equal(result.Details.TauCandidate, result.Value);
        Assert.Equal(999 * result.Details.GridStep!.Value, result.Details.GridStop!.Value - result.Details.GridStart!.Value, 1e-12);
        Assert.False(ThresholdMethods.IsFallback(result.Method));
    }

    [Fact]
    public void ByDefaultANonFiniteScoreIsRejectedByIndex()
    {
        var scores = TwoClusters(40, 10);
        scores[17] = double.NaN;
        var ex = Assert.Throws<ArgumentException>(() => new KdeValleyThreshold().Fit(scores));
        Assert.Contains("index 17", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheIgnorePolicyFitsOnFiniteScoresAndStillFlagsPositiveInfinity()
    {
        var scores = TwoClusters(80, 20).Concat([double.NaN, double.PositiveInfinity, double.NegativeInfinity]).ToArray();
        var result = new KdeValleyThreshold(NonFiniteScores.Ignore).Fit(scores);
        Assert.Equal(100, result.Details.NumSamples);
        Assert.Equal(3, result.Details.IgnoredNonFinite);
        Assert.Equal(21, result.Details.FlaggedCount);
    }

    [Fact]
    public void NoScoresFallBackForSmallN()
    {
        var result = new KdeValleyThreshold().Fit([]);
        Assert.Equal(ThresholdMethods.FallbackSmallN, result.Method);
        Assert.Equal(KdeValleyThreshold.FallbackThreshold, result.Value);
        Assert.Equal(0, result.Details.NumSamples);
        Assert.True(ThresholdMethods.IsFallback(result.Method));
    }

    [Fact]
    public void AnUnknownPolicyIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new KdeValleyThreshold((NonFiniteScores)7));

    [Fact]
    public void FlaggingIsStrict()
    {
        var result = new ThresholdResult(0.7, ThresholdMethods.Fixed, new ThresholdDetails { NumSamples = 0, FlaggedCount = 0 });
        Assert.False(result.IsFlagged(0.7));
        Assert.True(result.IsFlagged(Math.BitIncrement(0.7)));
        Assert.False(result.IsFlagged(double.NaN));
        Assert.Equal(1, result.CountFlagged([0.7, 0.8, double.NaN]));
    }
}
