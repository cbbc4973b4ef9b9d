using GradSentry.Scoring;

namespace GradSentry.Lab.Evaluation;

/// <summary>
/// Building blocks of the length-controlled score candidates (the design and its evaluation are in
/// <c>bench/results/quality.md</c>). Every function takes a whole dataset: the candidates that calibrate do so against
/// the dataset being scanned, never against labels.
/// </summary>
public static class LengthControl
{
    /// <summary>
    /// Candidate "ceiling": the reference score divided by its rank ceiling <c>ln(min(T, k)) / ln k</c>, i.e. the
    /// spectral entropy normalised by <c>ln(min(T, k))</c> (0 when T = 1).
    /// </summary>
    public static double CeilingRatio(double referenceScore, int answerTokens, int k = 16)
    {
        var ceiling = SpectralEntropy.RankCeiling(answerTokens, k);
        return ceiling <= 0 ? 0 : Math.Clamp(referenceScore / ceiling, 0, 1);
    }

    /// <summary>
    /// Groups rows by T (T ≥ <paramref name="poolFrom"/> pooled), then merges each group smaller than
    /// <paramref name="minGroup"/> with its neighbour towards the median T until all are large enough. Returns each row's group.
    /// </summary>
    public static int[] LengthGroups(IReadOnlyList<int> answerTokens, int minGroup = 30, int poolFrom = 16)
    {
        ArgumentNullException.ThrowIfNull(answerTokens);
        var keys = answerTokens.Select(t => Math.Min(t, poolFrom)).ToArray();
        var distinct = keys.Distinct().Order().ToList();
        var groups = distinct.Select(k => new List<int> { k }).ToList();
        int Count(List<int> g) => keys.Count(k => g.Contains(k));
        var changed = true;
        while (changed && groups.Count > 1)
        {
            changed = false;
            for (var i = 0; i < groups.Count; i++)
            {
                if (Count(groups[i]) >= minGroup) continue;
                // merge with the smaller neighbour (left on ties), keeping order
                var j = i == 0 ? 1 : i == groups.Count - 1 ? i - 1 : Count(groups[i - 1]) <= Count(groups[i + 1]) ? i - 1 : i + 1;
                var (a, b) = (Math.Min(i, j), Math.Max(i, j));
                groups[a].AddRange(groups[b]);
                groups.RemoveAt(b);
                changed = true;
                break;
            }
        }
        var groupOf = new Dictionary<int, int>();
        for (var g = 0; g < groups.Count; g++) foreach (var k in groups[g]) groupOf[k] = g;
        return keys.Select(k => groupOf[k]).ToArray();
    }

    /// <summary>Mid-rank percentile <c>(rank − 0.5) / n</c> of each value within its group, ties sharing the mean rank.</summary>
    public static double[] GroupPercentiles(IReadOnlyList<double> values, IReadOnlyList<int> groups)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(groups);
        var result = new double[values.Count];
        foreach (var group in Enumerable.Range(0, values.Count).GroupBy(i => groups[i]))
        {
            var members = group.OrderBy(i => values[i]).ToList();
            var n = members.Count;
            var start = 0;
            while (start < n)
            {
                var end = start + 1;
                while (end < n && values[members[end]] == values[members[start]]) end++;
                var rank = (start + 1 + end) / 2.0;
                for (var j = start; j < end; j++) result[members[j]] = (rank - 0.5) / n;
                start = end;
            }
        }
        return result;
    }

    /// <summary>Robust z-score within each group: <c>(x − median) / (1.4826 · MAD)</c> (MAD floored at 1e-9).</summary>
    public static double[] GroupRobustZ(IReadOnlyList<double> values, IReadOnlyList<int> groups)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(groups);
        var result = new double[values.Count];
        foreach (var group in Enumerable.Range(0, values.Count).GroupBy(i => groups[i]))
        {
            var v = group.Select(i => values[i]).ToList();
            var median = Median(v);
            var mad = Math.Max(1e-9, 1.4826 * Median(v.Select(x => Math.Abs(x - median)).ToList()));
            foreach (var i in group) result[i] = (values[i] - median) / mad;
        }
        return result;
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// Mean cosine similarity of each row to its <paramref name="neighbours"/> most similar other rows (Core's
    /// <see cref="LengthControlledScore.NeighbourSimilarity"/>), optionally after subtracting the dataset mean.
    /// </summary>
    public static double[] NeighbourSimilarity(IReadOnlyList<float[]> vectors, int neighbours, bool center = false)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (!center || vectors.Count == 0) return LengthControlledScore.NeighbourSimilarity(vectors, neighbours);
        var p = vectors[0].Length;
        var mean = new double[p];
        foreach (var v in vectors)
            for (var j = 0; j < p; j++) mean[j] += v[j];
        for (var j = 0; j < p; j++) mean[j] /= vectors.Count;
        return LengthControlledScore.NeighbourSimilarity(vectors.Select(v => v.Select((x, j) => (float)(x - mean[j])).ToArray()).ToList(), neighbours);
    }
}
