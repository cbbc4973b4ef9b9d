using GradSentry.Detection;

namespace GradSentry.Tests.Detection;

public class HypergeometricTailTests
{
    [Fact]
    public void TailMatchesTheHandComputedProbability()
    {
        // 10 items, 3 marked, draw 4: P(X >= 2) = (C(3,2)C(7,2) + C(3,3)C(7,1)) / C(10,4) = 70 / 210.
        var tail = new HypergeometricTail(10);
        Assert.Equal(1.0 / 3, Math.Exp(tail.LogUpperTail(10, 3, 4, 2)), 12);
        Assert.Equal(7.0 / 210, Math.Exp(tail.LogUpperTail(10, 3, 4, 3)), 12);
    }

    [Fact]
    public void TailIsOneAtOrBelowTheSmallestValueAndZeroAboveTheLargest()
    {
        var tail = new HypergeometricTail(10);
        Assert.Equal(0, tail.LogUpperTail(10, 8, 5, 3));        // at least 3 marked are always drawn
        Assert.Equal(double.NegativeInfinity, tail.LogUpperTail(10, 3, 4, 4));
    }

    [Fact]
    public void TinyTailsStayFiniteInLogSpace()
    {
        var tail = new HypergeometricTail(100_000);
        var log = tail.LogUpperTail(100_000, 1000, 1000, 1000);
        Assert.True(double.IsFinite(log));
        Assert.True(log < -5000);
    }

    [Fact]
    public void ImpossibleCountsAreRejected()
    {
        var tail = new HypergeometricTail(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => tail.LogUpperTail(11, 3, 4, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => tail.LogUpperTail(10, 11, 4, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => tail.LogUpperTail(10, 3, 11, 2));
    }
}
