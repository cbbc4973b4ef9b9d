using GradSentry.Thresholds;

namespace GradSentry.Tests.Thresholds;

public class PeakFinderTests
{
    [Theory]
    [InlineData(new double[] { 0, 1, 0 }, new[] { 1 })]
    [InlineData(new double[] { 0, 1, 0, 2, 0 }, new[] { 1, 3 })]
    [InlineData(new double[] { 3, 1, 2 }, new int[0])]
    [InlineData(new double[] { 1, 2, 3 }, new int[0])]
    [InlineData(new double[] { 3, 2, 1 }, new int[0])]
    [InlineData(new double[0], new int[0])]
    [InlineData(new double[] { 1 }, new int[0])]
    [InlineData(new double[] { 1, 2 }, new int[0])]
    public void LocalMaximaAreInteriorSamplesHigherThanBothNeighboursAndNeverTheEdges(double[] x, int[] expected) =>
        Assert.Equal(expected, PeakFinder.LocalMaxima(x));

    [Theory]
    [InlineData(new double[] { 0, 2, 2, 0 }, new[] { 1 })]
    [InlineData(new double[] { 0, 2, 2, 2, 0 }, new[] { 2 })]
    [InlineData(new double[] { 0, 2, 2, 2, 2, 0 }, new[] { 2 })]
    [InlineData(new double[] { 0, 2, 2, 1, 3, 0 }, new[] { 1, 4 })]
    public void APlateauIsOnePeakAtItsMiddleRoundedDown(double[] x, int[] expected) =>
        Assert.Equal(expected, PeakFinder.LocalMaxima(x));

    [Theory]
    [InlineData(new double[] { 0, 2, 2 })]
    [InlineData(new double[] { 0, 1, 2, 2 })]
    [InlineData(new double[] { 2, 2, 1 })]
    [InlineData(new double[] { 0, 2, 2, 3 })]
    [InlineData(new double[] { 1, 1, 1, 1 })]
    public void APlateauTouchingAnEdgeOrRisingFurtherIsNotAPeak(double[] x) =>
        Assert.Empty(PeakFinder.LocalMaxima(x));

    [Fact]
    public void APlateauFollowedByAHigherPeakYieldsOnlyTheHigherPeak() =>
        Assert.Equal(new[] { 3 }, PeakFinder.LocalMaxima([0, 2, 2, 3, 0]));

    [Fact]
    public void ProminenceIsMeasuredFromTheHigherOfTheTwoLowestBases()
    {
        double[] x = [0, 3, 1, 2, 0.5, 4, 0];
        var p = PeakFinder.Prominences(x, [1, 3, 5]);
        Assert.Equal(new PeakProminence(2.5, 0, 4), p[0]);
        Assert.Equal(new PeakProminence(1, 2, 4), p[1]);
        Assert.Equal(new PeakProminence(4, 0, 6), p[2]);
    }

    [Fact]
    public void EqualMinimaKeepTheBaseNearestThePeak()
    {
        double[] x = [0, 5, 0, 3, 0];
        var p = PeakFinder.Prominences(x, [1, 3]);
        Assert.Equal(new PeakProminence(5, 0, 2), p[0]);
        Assert.Equal(new PeakProminence(3, 2, 4), p[1]);
    }

    [Fact]
    public void APlateauPeaksProminenceLooksPastTheWholePlateau()
    {
        double[] x = [0, 2, 2, 1, 3, 0];
        var p = PeakFinder.Prominences(x, [1, 4]);
        Assert.Equal(new PeakProminence(1, 0, 3), p[0]);
        Assert.Equal(new PeakProminence(3, 0, 5), p[1]);
    }

    [Theory]
    [InlineData(0.0, new[] { 1, 3, 5 })]
    [InlineData(1.0, new[] { 1, 3, 5 })]
    [InlineData(1.5, new[] { 1, 5 })]
    [InlineData(2.5, new[] { 1, 5 })]
    [InlineData(2.6, new[] { 5 })]
    [InlineData(4.1, new int[0])]
    public void FindPeaksKeepsPeaksWhoseProminenceIsAtLeastTheMinimum(double minProminence, int[] expected) =>
        Assert.Equal(expected, PeakFinder.FindPeaks([0, 3, 1, 2, 0.5, 4, 0], minProminence));

    [Fact]
    public void NaNInTheSignalIsRejected()
    {
        Assert.Throws<ArgumentException>(() => PeakFinder.LocalMaxima([0, double.NaN, 0]));
        Assert.Throws<ArgumentException>(() => PeakFinder.FindPeaks([0, 1, 0], double.NaN));
    }

    [Fact]
    public void APeakIndexOutsideTheSignalIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PeakFinder.Prominences([0, 1, 0], [3]));
}
