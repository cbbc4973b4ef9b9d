using GradSentry.Scoring;

namespace GradSentry.Tests.Scoring;

public class SpectralEntropyTests
{
    [Fact]
    public void ScoreIsZeroWhenGradientHasRankOne()
    {
        var s = new double[16];
        s[0] = 3;
        Assert.True(SpectralEntropy.Score(s) < 1e-8);
    }

    [Fact]
    public void ScoreIsOneWhenSpectrumIsFlat() => Assert.Equal(1.0, SpectralEntropy.Score(Enumerable.Repeat(2.0, 16).ToArray()), 1e-9);

    [Theory]
    [InlineData(2, 0.25)]
    [InlineData(3, 0.3962406)]
    [InlineData(7, 0.7018387)]
    [InlineData(16, 1.0)]
    [InlineData(40, 1.0)]
    public void RankCeilingMatchesLnMinTkOverLnK(int t, double expected) => Assert.Equal(expected, SpectralEntropy.RankCeiling(t, 16), 1e-6);

    [Fact]
    public void ScoreNeverExceedsTheRankCeiling()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 200; trial++)
        {
            var t = random.Next(1, 20);
            var s = new double[16];
            for (var i = 0; i < Math.Min(t, 16); i++) s[i] = random.NextDouble() + 1e-3;
            Array.Sort(s, (a, b) => b.CompareTo(a));
            Assert.True(SpectralEntropy.Score(s) <= SpectralEntropy.RankCeiling(t, 16) + 1e-6);
        }
    }

    [Fact]
    public void NonFiniteSingularValueIsAnError() =>
        Assert.Throws<ArgumentException>(() => SpectralEntropy.Score([1, double.NaN, 0, 0]));
}
