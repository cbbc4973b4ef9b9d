using GradSentry.Thresholds;

namespace GradSentry.Tests.Thresholds;

public class GaussianKdeTests
{
    [Fact]
    public void LinspaceIncludesBothEndsExactly()
    {
        Assert.Equal(new[] { 0, 0.25, 0.5, 0.75, 1 }, GaussianKde.Linspace(0, 1, 5));
        var grid = GaussianKde.Linspace(0.1, 0.7, 7);
        Assert.Equal(0.1, grid[0]);
        Assert.Equal(0.7, grid[^1]);
    }

    [Fact]
    public void LinspaceHandlesDegenerateCounts()
    {
        Assert.Empty(GaussianKde.Linspace(0, 1, 0));
        Assert.Equal(new[] { 2.0 }, GaussianKde.Linspace(2, 3, 1));
        Assert.Equal(new[] { 0.5, 0.5, 0.5 }, GaussianKde.Linspace(0.5, 0.5, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianKde.Linspace(0, 1, -1));
        Assert.Throws<ArgumentException>(() => GaussianKde.Linspace(0, double.PositiveInfinity, 3));
    }

    [Fact]
    public void SilvermanBandwidthUsesTheSampleStandardDeviation() =>
        Assert.Equal(1.214735905665934, GaussianKde.SilvermanBandwidth([1, 2, 3, 4, 5]), 1e-15);

    [Fact]
    public void StandardDeviationHonoursDdof()
    {
        Assert.Equal(Math.Sqrt(2), GaussianKde.StandardDeviation([1, 2, 3, 4, 5], ddof: 0), 1e-15);
        Assert.Equal(Math.Sqrt(2.5), GaussianKde.StandardDeviation([1, 2, 3, 4, 5], ddof: 1), 1e-15);
        Assert.Throws<ArgumentException>(() => GaussianKde.StandardDeviation([1], ddof: 1));
        Assert.Throws<ArgumentException>(() => GaussianKde.SilvermanBandwidth([1]));
    }

    [Fact]
    public void DensityOfOneSampleIsTheNormalPdf()
    {
        var d = GaussianKde.Density([0], 1, [0, 1, -1, 50]);
        Assert.Equal(0.3989422804014327, d[0], 1e-15);
        Assert.Equal(0.24197072451914337, d[1], 1e-15);
        Assert.Equal(0.24197072451914337, d[2], 1e-15);
        Assert.Equal(0, d[3]);
    }

    [Fact]
    public void DensityAveragesTheKernelsAndIntegratesToOne()
    {
        var two = GaussianKde.Density([0, 2], 0.5, [0]);
        Assert.Equal((0.3989422804014327 + Math.Exp(-8) * 0.3989422804014327) / 2 / 0.5, two[0], 1e-14);

        var grid = GaussianKde.Linspace(-5, 7, 4001);
        var density = GaussianKde.Density([0.1, 0.5, 0.9, 1.7, 2.0], 0.4, grid);
        var integral = 0.0;
        for (var i = 1; i < grid.Length; i++) integral += (density[i] + density[i - 1]) / 2 * (grid[i] - grid[i - 1]);
        Assert.Equal(1, integral, 1e-9);
    }

    [Fact]
    public void DensityRejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => GaussianKde.Density([], 1, [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianKde.Density([0], 0, [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianKde.Density([0], double.NaN, [0]));
        Assert.Throws<ArgumentException>(() => GaussianKde.Density([double.NaN], 1, [0]));
        Assert.Throws<ArgumentException>(() => GaussianKde.Density([0], 1, [double.PositiveInfinity]));
    }
}
