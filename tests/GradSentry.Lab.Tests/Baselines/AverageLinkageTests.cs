using GradSentry.Lab.Baselines;
using GradSentry.Lab.Data;

namespace GradSentry.Lab.Tests.Baselines;

public class AverageLinkageTests
{
    static double[] Euclidean(double[][] points)
    {
        var n = points.Length;
        var d = new double[n * n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                d[i * n + j] = Math.Sqrt(points[i].Zip(points[j], (a, b) => (a - b) * (a - b)).Sum());
        return d;
    }

    /// <summary>The textbook O(n³) UPGMA: merge the closest pair of clusters by mean pairwise distance until k remain.</summary>
    static int[] Naive(double[] d, int n, int k)
    {
        var clusters = Enumerable.Range(0, n).Select(i => new List<int> { i }).ToList();
        while (clusters.Count > k)
        {
            var best = (A: 0, B: 1, D: double.PositiveInfinity);
            for (var a = 0; a < clusters.Count; a++)
                for (var b = a + 1; b < clusters.Count; b++)
                {
                    var mean = clusters[a].SelectMany(i => clusters[b].Select(j => d[i * n + j])).Average();
                    if (mean < best.D) best = (a, b, mean);
                }
            clusters[best.A].AddRange(clusters[best.B]);
            clusters.RemoveAt(best.B);
        }
        var labels = new int[n];
        var ordered = clusters.OrderBy(c => c.Min()).ToList();
        for (var c = 0; c < ordered.Count; c++) foreach (var i in ordered[c]) labels[i] = c;
        return labels;
    }

    [Fact]
    public void TwoObviousGroupsAreFound()
    {
        double[][] points = [[0, 0], [0.1, 0], [5, 5], [0, 0.2], [5.1, 5]];
        Assert.Equal([0, 0, 1, 0, 1], AverageLinkage.Cluster(Euclidean(points), 5, 2));
    }

    [Fact]
    public void AverageLinkageDiffersFromSingleLinkageOnAChain()
    {
        // A chain 0-1-2-3 with steps 1, 1.5, 1 plus a far point: single linkage would keep the chain together,
        // average linkage too; at three clusters UPGMA splits the chain in the middle (between 1 and 2).
        double[][] points = [[0], [1], [2.5], [3.5], [20]];
        Assert.Equal([0, 0, 1, 1, 2], AverageLinkage.Cluster(Euclidean(points), 5, 3));
    }

    [Fact]
    public void MatchesTheNaiveAlgorithmOnRandomPoints()
    {
        var rng = new LabRandom(17);
        for (var trial = 0; trial < 5; trial++)
        {
            var n = 25;
            var points = Enumerable.Range(0, n).Select(_ => new[] { rng.NextGaussian(), rng.NextGaussian(), rng.NextGaussian() }).ToArray();
            var d = Euclidean(points);
            foreach (var k in new[] { 2, 3, 5 })
                Assert.Equal(Naive(d, n, k), AverageLinkage.Cluster(d, n, k));
        }
    }

    [Fact]
    public void OneClusterPutsEverythingTogether() =>
        Assert.Equal([0, 0, 0], AverageLinkage.Cluster(Euclidean([[0.0], [1.0], [9.0]]), 3, 1));
}
