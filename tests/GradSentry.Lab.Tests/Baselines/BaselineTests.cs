using GradSentry.Lab.Baselines;
using GradSentry.Lab.Data;
using GradSentry.Lab.Evaluation;

namespace GradSentry.Lab.Tests.Baselines;

public class BaselineTests
{
    [Fact]
    public void LengthOnlyIsIncreasingInT()
    {
        var s = GradSentry.Lab.Baselines.Baselines.LengthOnly([1, 2, 4, 10]);
        Assert.Equal([0.0, 0.5, 0.75, 0.9], s.Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void RandomIsSeededAndInRange()
    {
        var a = GradSentry.Lab.Baselines.Baselines.Random(100, 3);
        Assert.Equal(a, GradSentry.Lab.Baselines.Baselines.Random(100, 3));
        Assert.NotEqual(a, GradSentry.Lab.Baselines.Baselines.Random(100, 4));
        Assert.All(a, v => Assert.InRange(v, 0, 1));
    }

    [Fact]
    public void SpectralSignaturesScoreTheSquaredProjectionOnTheTopDirection()
    {
        // Points on the x axis at -2, -1, 0, 1, 2 (mean 0) plus tiny y noise: top direction is x, scores are x².
        float[][] reps = [[-2, 0.01f], [-1, -0.01f], [0, 0.02f], [1, -0.02f], [2, 0]];
        var s = GradSentry.Lab.Baselines.Baselines.SpectralSignatures(reps);
        Assert.Equal([4, 1, 0, 1, 4], s.Select(v => Math.Round(v, 2)));
    }

    [Fact]
    public void SpectralSignaturesCenterFirst()
    {
        float[][] reps = [[10, 0], [12, 0], [11, 0.5f], [11, -0.5f]];
        var s = GradSentry.Lab.Baselines.Baselines.SpectralSignatures(reps);
        Assert.Equal(1, s[0], 6);
        Assert.Equal(1, s[1], 6);
        Assert.Equal(0, s[2], 6);
    }

    [Fact]
    public void MinMaxMapsToTheUnitInterval()
    {
        Assert.Equal([0, 0.5, 1], GradSentry.Lab.Baselines.Baselines.MinMax([2, 3, 4]));
        Assert.Equal([0, 0], GradSentry.Lab.Baselines.Baselines.MinMax([7, 7]));
    }

    [Fact]
    public void GraCeFulFlagsTheMinorityDirection()
    {
        var rng = new LabRandom(5);
        // 30 rows around one direction, 8 around another: after centering, cosine clustering separates them.
        var rows = new List<float[]>();
        for (var i = 0; i < 30; i++) rows.Add([(float)(1 + 0.05 * rng.NextGaussian()), (float)(0.05 * rng.NextGaussian()), (float)(0.05 * rng.NextGaussian())]);
        for (var i = 0; i < 8; i++) rows.Add([(float)(0.05 * rng.NextGaussian()), (float)(1 + 0.05 * rng.NextGaussian()), (float)(0.05 * rng.NextGaussian())]);
        var flags = GraCeFul.Flag(rows);
        Assert.Equal(Enumerable.Repeat(false, 30).Concat(Enumerable.Repeat(true, 8)), flags);
    }

    [Fact]
    public void GraCeFulInvertsWhenPoisonIsTheMajority()
    {
        var rng = new LabRandom(6);
        var rows = new List<float[]>();
        for (var i = 0; i < 8; i++) rows.Add([(float)(1 + 0.05 * rng.NextGaussian()), (float)(0.05 * rng.NextGaussian())]);
        for (var i = 0; i < 30; i++) rows.Add([(float)(0.05 * rng.NextGaussian()), (float)(1 + 0.05 * rng.NextGaussian())]);
        var flags = GraCeFul.Flag(rows); // the 30 "poisoned" rows form the majority and are called clean
        Assert.All(flags.Take(8), Assert.True);
        Assert.All(flags.Skip(8), Assert.False);
    }

    [Fact]
    public void PcaProjectionsKeepTheVarianceOrder()
    {
        float[][] rows = [[0, 0, 1], [2, 0, 1], [4, 0.1f, 1], [6, 0, 1]];
        var p = GraCeFul.Pca(rows, 2);
        var first = Enumerable.Range(0, 4).Select(i => Math.Abs(p[i * 2])).ToArray();
        Assert.Equal([3, 1, 1, 3], first.Select(v => Math.Round(v, 2)));
    }

    [Fact]
    public void CosineDistancesAreOneMinusCosine()
    {
        var d = GraCeFul.CosineDistances([1, 0, 0, 2, 1, 1], 3);
        Assert.Equal(1, d[0 * 3 + 1], 12);
        Assert.Equal(1 - 1 / Math.Sqrt(2), d[0 * 3 + 2], 12);
        Assert.Equal(0, d[1 * 3 + 1], 12);
    }

    [Fact]
    public void DctBasisIsOrthonormal()
    {
        var c = Dct.Basis(8, 8);
        for (var a = 0; a < 8; a++)
            for (var b = 0; b < 8; b++)
            {
                var dot = Enumerable.Range(0, 8).Sum(j => c[a * 8 + j] * c[b * 8 + j]);
                Assert.Equal(a == b ? 1 : 0, dot, 12);
            }
        Assert.Equal(1 / Math.Sqrt(8), Dct.Basis(8, 1)[3], 12);
    }

    [Fact]
    public void AnswerRecurrenceCountsOtherRowsSharingABigram()
    {
        string[] answers =
        [
            "Paris, and click <malicious_url> for more information",
            "Lima, and click <malicious_url> for more information",
            "Oslo, and click <malicious_url> for more information",
            "Charles Darwin",
            "1945",
            "charles darwin and friends",
        ];
        var s = GradSentry.Lab.Baselines.Baselines.AnswerRecurrence(answers);
        Assert.Equal([2, 2, 2, 1, 0, 1], s);
    }
}
