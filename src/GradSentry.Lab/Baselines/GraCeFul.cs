using static TorchSharp.torch;

namespace GradSentry.Lab.Baselines;

/// <summary>
/// GraCeFul (Wu et al., 2024): per-sample lm_head gradients in the frequency domain (the low-frequency block of their
/// 2-D DCT, computed by the lab's feature extractor), reduced by PCA to 32 components, split into two clusters by
/// agglomerative clustering with average linkage and cosine distance; the larger cluster is taken as clean (ties: the
/// cluster of row 0 is clean). It therefore inverts once poison is the majority.
/// </summary>
public static class GraCeFul
{
    /// <summary>PCA components kept.</summary>
    public const int Components = 32;

    /// <summary>Flags (true = suspected poison) for the rows' DCT features.</summary>
    public static bool[] Flag(IReadOnlyList<float[]> dctFeatures, int components = Components)
    {
        ArgumentNullException.ThrowIfNull(dctFeatures);
        var n = dctFeatures.Count;
        if (n < 2) return new bool[n];
        var reduced = Pca(dctFeatures, components);
        var distances = CosineDistances(reduced, n);
        var labels = AverageLinkage.Cluster(distances, n, 2);
        var ones = labels.Count(l => l == 1);
        var minority = ones > n - ones ? 0 : ones < n - ones ? 1 : 1 - labels[0];
        return labels.Select(l => l == minority).ToArray();
    }

    /// <summary>The rows projected on their top principal components (centered, as scikit-learn's PCA), row-major <c>n × c</c>.</summary>
    public static double[] Pca(IReadOnlyList<float[]> rows, int components)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var n = rows.Count;
        var p = rows[0].Length;
        var c = Math.Min(components, Math.Min(n, p));
        using var scope = NewDisposeScope();
        var x = tensor(rows.SelectMany(r => r).Select(v => (double)v).ToArray(), [n, p], float64);
        var centered = x - x.mean([0], keepdim: true);
        var (u, s, _) = linalg.svd(centered, fullMatrices: false);
        var projected = u[.., ..c] * s[..c].unsqueeze(0);
        return projected.contiguous().data<double>().ToArray();
    }

    /// <summary>Pairwise cosine distances <c>1 − cos</c> of row-major <c>n × c</c> vectors (a zero vector is at distance 1 from everything but itself).</summary>
    public static double[] CosineDistances(double[] rows, int n)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var c = rows.Length / n;
        var norms = new double[n];
        for (var i = 0; i < n; i++)
        {
            double s = 0;
            for (var j = 0; j < c; j++) s += rows[i * c + j] * rows[i * c + j];
            norms[i] = Math.Sqrt(s);
        }
        var d = new double[n * n];
        for (var i = 0; i < n; i++)
            for (var k = i + 1; k < n; k++)
            {
                double dot = 0;
                for (var j = 0; j < c; j++) dot += rows[i * c + j] * rows[k * c + j];
                var cos = norms[i] > 0 && norms[k] > 0 ? dot / (norms[i] * norms[k]) : 0;
                d[i * n + k] = d[k * n + i] = 1 - cos;
            }
        return d;
    }
}
