using GradSentry.Thresholds;

namespace GradSentry.Tests.Thresholds;

public class FixedThresholdTests
{
    [Fact]
    public void FlagsOnlyScoresStrictlyAboveTheValue()
    {
        double[] scores = [0.5, 0.7, 0.7000000001, 0.95];
        var result = new FixedThreshold(0.7).Fit(scores);
        Assert.Equal(0.7, result.Value);
        Assert.Equal(ThresholdMethods.Fixed, result.Method);
        Assert.Equal(4, result.Details.NumSamples);
        Assert.Equal(2, result.Details.FlaggedCount);
        Assert.Equal(new[] { false, false, true, true }, scores.Select(result.IsFlagged));
        Assert.Null(result.Details.Bandwidth);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void TheEndsOfTheUnitIntervalAreAccepted(double value) => Assert.Equal(value, new FixedThreshold(value).Value);

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.PositiveInfinity)]
    public void ValuesOutsideTheUnitIntervalAreRejected(double value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedThreshold(value));

    [Fact]
    public void ANonFiniteScoreIsRejectedByIndex()
    {
        var ex = Assert.Throws<ArgumentException>(() => new FixedThreshold(0.5).Fit([0.1, 0.2, double.PositiveInfinity]));
        Assert.Contains("index 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Infinity", ex.Message, StringComparison.Ordinal);
        Assert.Equal("scores", ex.ParamName);
    }
}
