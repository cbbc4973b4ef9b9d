using GradSentry.Lab.Metrics;

namespace GradSentry.Lab.Tests.Metrics;

public class MetricTests
{
    [Fact]
    public void ConfusionMatchesAHandCount()
    {
        bool[] y = [true, true, true, false, false, false, false];
        bool[] f = [true, true, false, true, false, false, false];
        var c = Confusion.Of(y, f);
        Assert.Equal(new Confusion(2, 1, 3, 1), c);
        Assert.Equal(2.0 / 3, c.Precision, 12);
        Assert.Equal(2.0 / 3, c.Recall, 12);
        Assert.Equal(2.0 / 3, c.F1, 12);
        Assert.Equal(0.25, c.FalsePositiveRate, 12);
    }

    [Fact]
    public void NothingFlaggedHasZeroPrecisionAndF1()
    {
        var c = Confusion.Of([true, false], [false, false]);
        Assert.Equal(0, c.Precision);
        Assert.Equal(0, c.F1);
        Assert.Equal(0, c.Recall);
    }

    [Fact]
    public void F1IsTheHarmonicMean()
    {
        var c = new Confusion(1, 0, 5, 3); // P = 1, R = 0.25
        Assert.Equal(0.4, c.F1, 12);
    }

    [Fact]
    public void AurocOfAPerfectRankingIsOneAndOfTheReverseZero()
    {
        Assert.Equal(1.0, Auroc.Compute([0.1, 0.2, 0.8, 0.9], [false, false, true, true]));
        Assert.Equal(0.0, Auroc.Compute([0.9, 0.8, 0.2, 0.1], [false, false, true, true]));
    }

    [Fact]
    public void AurocCountsTiesAsOneHalf()
    {
        // pairs (pos, neg): (0.5 vs 0.5) = 0.5, (0.5 vs 0.1) = 1, (0.9 vs 0.5) = 1, (0.9 vs 0.1) = 1 -> 3.5 / 4
        Assert.Equal(0.875, Auroc.Compute([0.5, 0.9, 0.5, 0.1], [true, true, false, false]), 12);
        Assert.Equal(0.5, Auroc.Compute([1, 1, 1, 1], [true, false, true, false]), 12);
    }

    [Fact]
    public void AurocMatchesAHandComputedMixedCase()
    {
        // positives 3, 1; negatives 2, 0, 1 -> pairs: 3>2,3>0,3>1 = 3; 1<2 = 0, 1>0 = 1, 1=1 = 0.5 -> 4.5 / 6
        Assert.Equal(0.75, Auroc.Compute([3, 1, 2, 0, 1], [true, true, false, false, false]), 12);
    }

    [Fact]
    public void AurocIsNaNWithOneClass() => Assert.True(double.IsNaN(Auroc.Compute([0.1, 0.2], [false, false])));

    [Fact]
    public void AurocRefusesNaNScores() => Assert.Throws<ArgumentException>(() => Auroc.Compute([double.NaN, 0.2], [true, false]));

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 0)]
    [InlineData(4, 1)]
    [InlineData(6, 1)]
    [InlineData(7, 2)]
    [InlineData(10, 2)]
    [InlineData(11, 3)]
    [InlineData(16, 3)]
    [InlineData(17, 4)]
    [InlineData(400, 4)]
    public void LengthBucketsSplitAtTheDocumentedBounds(int t, int bucket) => Assert.Equal(bucket, LengthBuckets.Of(t));

    [Fact]
    public void ReportStratifiesByLengthAndCountsControlFalsePositives()
    {
        double[] s = [0.9, 0.2, 0.8, 0.3, 0.7, 0.6];
        bool[] f = [true, false, true, false, true, false];
        bool[] y = [true, false, true, false, false, false];
        int[] t = [20, 2, 18, 5, 19, 3];
        bool[] control = [false, false, false, false, true, false];
        bool[] plain = [false, true, false, true, false, true];
        var r = DetectionReport.Compute(s, f, y, t, control, plain);
        Assert.Equal(1.0, r.Auroc);
        Assert.Equal(new Confusion(2, 1, 3, 0), r.Confusion);
        Assert.Equal(1.0, r.ControlFalsePositiveRate);
        Assert.Equal(0.0, r.CleanFalsePositiveRate);
        Assert.Equal(2, r.Buckets[0].Rows);
        Assert.True(double.IsNaN(r.Buckets[0].Auroc));
        Assert.Equal(3, r.Buckets[4].Rows);
        Assert.Equal(1.0, r.Buckets[4].Auroc); // 0.9 and 0.8 above the control's 0.7
    }
}
