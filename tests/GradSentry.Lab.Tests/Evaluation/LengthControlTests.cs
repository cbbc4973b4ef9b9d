using GradSentry.Lab.Evaluation;

namespace GradSentry.Lab.Tests.Evaluation;

public class LengthControlTests
{
    [Fact]
    public void CeilingRatioDividesByTheRankCeiling()
    {
        // T = 4: ceiling ln 4 / ln 16 = 0.5, so a reference score of 0.4 is 80% of what T = 4 allows.
        Assert.Equal(0.8, LengthControl.CeilingRatio(0.4, 4), 9);
        Assert.Equal(0, LengthControl.CeilingRatio(0.0, 1));
        Assert.Equal(0.5, LengthControl.CeilingRatio(0.5, 40), 9);
    }

    [Fact]
    public void SmallLengthGroupsMergeWithTheirSmallerNeighbour()
    {
        // T: 2 x3, 3 x1, 4 x5, 20, 30 and 40 (pooled as 16+). With at least 3 per group, {3} merges with its smaller neighbour {2} (3 < 5 rows).
        int[] t = [2, 2, 2, 3, 4, 4, 4, 4, 4, 20, 30, 40];
        var g = LengthControl.LengthGroups(t, minGroup: 3);
        Assert.Equal(g[0], g[3]);
        Assert.NotEqual(g[3], g[4]);
        Assert.Equal(g[9], g[10]);
        Assert.NotEqual(g[4], g[9]);
    }

    [Fact]
    public void LongAnswersArePooled()
    {
        var g = LengthControl.LengthGroups([16, 17, 40], minGroup: 1);
        Assert.Equal(g[0], g[1]);
        Assert.Equal(g[1], g[2]);
    }

    [Fact]
    public void PercentilesAreMidRanksWithinGroups()
    {
        double[] v = [0.1, 0.5, 0.3, 0.9, 0.9, 0.2];
        int[] groups = [0, 0, 0, 1, 1, 1];
        var p = LengthControl.GroupPercentiles(v, groups);
        double[] expected = [0.5 / 3, 2.5 / 3, 1.5 / 3, 2.0 / 3, 2.0 / 3, 0.5 / 3];
        for (var i = 0; i < v.Length; i++) Assert.Equal(expected[i], p[i], 12);
    }

    [Fact]
    public void RobustZUsesMedianAndScaledMad()
    {
        // group values 1, 2, 3, 4, 100: median 3, |dev| 2,1,0,1,97 -> MAD 1 -> scale 1.4826
        var z = LengthControl.GroupRobustZ([1, 2, 3, 4, 100], [0, 0, 0, 0, 0]);
        Assert.Equal(-2 / 1.4826, z[0], 9);
        Assert.Equal(0, z[2], 9);
        Assert.Equal(97 / 1.4826, z[4], 9);
    }

    [Fact]
    public void MedianOfEvenCountIsTheMeanOfTheMiddleTwo()
    {
        Assert.Equal(2.5, LengthControl.Median([4, 1, 3, 2]));
        Assert.Equal(3, LengthControl.Median([5, 3, 1]));
    }

    [Fact]
    public void NeighbourSimilarityIsHighForRepeatedDirections()
    {
        // Three copies of one direction and three orthogonal singletons.
        float[][] v = [[1, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0], [1, 0.01f, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0], [0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 1, 0]];
        var s = LengthControl.NeighbourSimilarity(v, neighbours: 2);
        Assert.Equal(1, s[0], 3);
        Assert.Equal(1, s[1], 3);
        Assert.Equal(0, s[3], 9); // orthogonal to everything
        var centered = LengthControl.NeighbourSimilarity(v, neighbours: 2, center: true);
        Assert.True(centered[0] > centered[3]);
    }
}
