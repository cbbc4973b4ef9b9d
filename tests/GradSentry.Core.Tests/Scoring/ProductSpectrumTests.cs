using GradSentry.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Tests.Scoring;

public class ProductSpectrumTests
{
    /// <summary>Random factors of three samples with 2, 5 and 3 rows, both as consecutive rows and zero-padded.</summary>
    static (Tensor Left, Tensor Right, Tensor PaddedLeft, Tensor PaddedRight, int[] Rows) Factors(long m, long n)
    {
        int[] rows = [2, 5, 3];
        var generator = new Generator(9);
        var left = randn([10, m], float64, generator: generator);
        var right = randn([10, n], float64, generator: generator);
        var paddedLeft = zeros([3, 5, m], float64);
        var paddedRight = zeros([3, 5, n], float64);
        long start = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            paddedLeft[i].narrow(0, 0, rows[i]).copy_(left.narrow(0, start, rows[i]));
            paddedRight[i].narrow(0, 0, rows[i]).copy_(right.narrow(0, start, rows[i]));
            start += rows[i];
        }
        return (left, right, paddedLeft, paddedRight, rows);
    }

    [Theory]
    [InlineData(40, 12)] // wide: the Gram route
    [InlineData(2, 3)]   // narrow: the product is formed
    public void NormsFromConsecutiveRowsEqualNormsFromThePaddedLayoutAndTheFormedProduct(long m, long n)
    {
        var (left, right, paddedLeft, paddedRight, rows) = Factors(m, n);
        var segmented = ProductSpectrum.FrobeniusNorms(left, right, rows);
        var padded = ProductSpectrum.FrobeniusNorms(paddedLeft, paddedRight);
        long start = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            var formed = left.narrow(0, start, rows[i]).t().mm(right.narrow(0, start, rows[i])).norm().item<double>();
            start += rows[i];
            Assert.Equal(formed, segmented[i], 1e-10);
            Assert.Equal(padded[i], segmented[i], 1e-10);
        }
    }

    [Fact]
    public void RowCountsThatDoNotAddUpAreAClearError()
    {
        var (left, right, _, _, _) = Factors(4, 4);
        var error = Assert.Throws<ArgumentException>(() => ProductSpectrum.FrobeniusNorms(left, right, [2, 5, 4]));
        Assert.Contains("11", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ProductSpectrum.FrobeniusNorms(left, right, [10, 0]));
    }

    [Theory]
    [InlineData(40, 12)] // wide: the eigh route
    [InlineData(2, 3)]   // narrow: the product is formed
    public void ASampleWithNonFiniteFactorsGetsNaNAndTheOthersAreUnaffected(long m, long n)
    {
        var (_, _, paddedLeft, paddedRight, _) = Factors(m, n);
        var clean = ProductSpectrum.TopSingularValues(paddedLeft, paddedRight, 4);
        var poisonedLeft = paddedLeft.clone();
        poisonedLeft[1, 0, 0] = tensor(double.NaN);
        var poisonedRight = paddedRight.clone();
        poisonedRight[2, 1, 0] = tensor(double.PositiveInfinity);
        var values = ProductSpectrum.TopSingularValues(poisonedLeft, poisonedRight, 4);
        Assert.Equal(clean[0], values[0]);
        Assert.All(values[1], v => Assert.True(double.IsNaN(v)));
        Assert.All(values[2], v => Assert.True(double.IsNaN(v)));
    }
}
