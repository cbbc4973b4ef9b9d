using GradSentry.Thresholds;

namespace GradSentry.Tests.Thresholds;

public class TopFractionThresholdTests
{
    [Fact]
    public void FlagsExactlyTheTopCeilFTimesNScores()
    {
        double[] scores = [0.3, 0.9, 0.1, 0.5, 0.7, 0.2, 0.8, 0.4, 0.6, 1.0, 0.05];
        var result = new TopFractionThreshold(0.2).Fit(scores);
        Assert.Equal(ThresholdMethods.TopFraction, result.Method);
        Assert.Equal(3, result.Details.TargetCount);
        Assert.Equal(0.7, result.Value);
        Assert.Equal(3, result.Details.FlaggedCount);
        Assert.Equal(new[] { 0.8, 0.9, 1.0 }, scores.Where(result.IsFlagged).Order());
        Assert.Equal(0.2, result.Details.Fraction);
    }

    [Fact]
    public void TiesAtTheCutAreLeftUnflaggedSoTheBudgetIsNeverExceeded()
    {
        double[] scores = [0.9, 0.8, 0.8, 0.8, 0.1];
        var result = new TopFractionThreshold(0.4).Fit(scores);
        Assert.Equal(2, result.Details.TargetCount);
        Assert.Equal(0.8, result.Value);
        Assert.Equal(1, result.Details.FlaggedCount);
    }

    [Fact]
    public void TiesAboveTheCutAreAllFlagged()
    {
        var result = new TopFractionThreshold(0.4).Fit([0.9, 0.9, 0.5, 0.3, 0.1]);
        Assert.Equal(0.5, result.Value);
        Assert.Equal(2, result.Details.FlaggedCount);
    }

    [Fact]
    public void FractionOneFlagsEveryRowEvenWhenAllScoresAreEqual()
    {
        double[] scores = [0.5, 0.5, 0.5];
        var result = new TopFractionThreshold(1).Fit(scores);
        Assert.Equal(3, result.Details.FlaggedCount);
        Assert.True(result.Value < 0.5);
        Assert.Equal(0.5, Math.BitIncrement(result.Value));
    }

    [Theory]
    [InlineData(0.07, 100, 7)]
    [InlineData(0.05, 100, 5)]
    [InlineData(0.01, 10, 1)]
    [InlineData(0.3, 10, 3)]
    [InlineData(0.5, 3, 2)]
    [InlineData(1.0, 7, 7)]
    [InlineData(0.5, 0, 0)]
    public void TheBudgetIsCeilFTimesNWithoutBinaryRounding(double fraction, int n, int expected) =>
        Assert.Equal(expected, new TopFractionThreshold(fraction).TargetCount(n));

    [Fact]
    public void NoScoresFlagNothing()
    {
        var result = new TopFractionThreshold(0.1).Fit([]);
        Assert.Equal(1.0, result.Value);
        Assert.Equal(0, result.Details.FlaggedCount);
        Assert.Equal(0, result.Details.NumSamples);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void FractionsOutsideZeroToOneAreRejected(double fraction) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopFractionThreshold(fraction));

    [Fact]
    public void ANaNScoreIsRejectedByIndex()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TopFractionThreshold(0.5).Fit([0.1, double.NaN]));
        Assert.Contains("index 1", ex.Message, StringComparison.Ordinal);
    }
}
