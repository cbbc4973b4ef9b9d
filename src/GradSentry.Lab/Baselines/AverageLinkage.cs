namespace GradSentry.Lab.Baselines;

/// <summary>
/// Agglomerative clustering with average linkage (UPGMA) on a precomputed distance matrix, by the nearest-neighbour
/// chain algorithm (O(n²) time and memory, exact for average linkage because it is reducible), cut into a given
/// number of clusters as scikit-learn's <c>AgglomerativeClustering(linkage="average")</c> does.
/// </summary>
public static class AverageLinkage
{
    /// <summary>Cluster labels 0..clusters-1 for the <c>n × n</c> symmetric <paramref name="distances"/> (row-major).</summary>
    /// <remarks>Labels are numbered by each cluster's smallest member index, so the result does not depend on merge order.</remarks>
    public static int[] Cluster(double[] distances, int n, int clusters)
    {
        ArgumentNullException.ThrowIfNull(distances);
        if (distances.Length != (long)n * n) throw new ArgumentException($"expected {n}x{n} distances, got {distances.Length}.", nameof(distances));
        ArgumentOutOfRangeException.ThrowIfLessThan(clusters, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clusters, Math.Max(1, n));
        var d = (double[])distances.Clone();
        var size = new int[n];
        Array.Fill(size, 1);
        var active = new bool[n];
        Array.Fill(active, true);
        var merges = new List<(int A, int B, double Distance)>(n);
        var chain = new List<int>(n);
        var remaining = n;
        while (remaining > 1)
        {
            if (chain.Count == 0) chain.Add(Array.IndexOf(active, true));
            while (true)
            {
                var top = chain[^1];
                var previous = chain.Count > 1 ? chain[^2] : -1;
                // Nearest active neighbour of top; prefer the previous chain element on ties (guarantees termination).
                var best = previous;
                var bestDistance = previous >= 0 ? d[top * n + previous] : double.PositiveInfinity;
                for (var j = 0; j < n; j++)
                {
                    if (!active[j] || j == top) continue;
                    var v = d[top * n + j];
                    if (v < bestDistance) { bestDistance = v; best = j; }
                }
                if (best == previous)
                {
                    chain.RemoveAt(chain.Count - 1);
                    chain.RemoveAt(chain.Count - 1);
                    Merge(d, n, size, active, top, previous, bestDistance, merges);
                    remaining--;
                    break;
                }
                chain.Add(best);
            }
        }
        // Replay merges in order of distance (stable), stopping when `clusters` remain.
        var parent = Enumerable.Range(0, n).ToArray();
        int Find(int x) { while (parent[x] != x) x = parent[x] = parent[parent[x]]; return x; }
        var ordered = merges.Select((m, i) => (m, i)).OrderBy(x => x.m.Distance).ThenBy(x => x.i).Select(x => x.m).ToList();
        for (var i = 0; i < n - clusters; i++)
        {
            var (a, b, _) = ordered[i];
            var ra = Find(a);
            var rb = Find(b);
            if (ra != rb) parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
        }
        var labelOfRoot = new Dictionary<int, int>();
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            var r = Find(i);
            if (!labelOfRoot.TryGetValue(r, out var label)) labelOfRoot[r] = label = labelOfRoot.Count;
            labels[i] = label;
        }
        return labels;
    }

    static void Merge(double[] d, int n, int[] size, bool[] active, int a, int b, double distance, List<(int, int, double)> merges)
    {
        // Keep the merged cluster at index `keep`; Lance–Williams update for average linkage.
        var keep = Math.Min(a, b);
        var drop = Math.Max(a, b);
        merges.Add((keep, drop, distance));
        var na = size[keep];
        var nb = size[drop];
        for (var k = 0; k < n; k++)
        {
            if (!active[k] || k == keep || k == drop) continue;
            var v = (na * d[keep * n + k] + nb * d[drop * n + k]) / (na + nb);
            d[keep * n + k] = v;
            d[k * n + keep] = v;
        }
        size[keep] = na + nb;
        active[drop] = false;
    }
}
