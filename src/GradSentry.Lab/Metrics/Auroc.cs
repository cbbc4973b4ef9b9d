namespace GradSentry.Lab.Metrics;

/// <summary>Area under the ROC curve, higher score = more likely poisoned.</summary>
public static class Auroc
{
    /// <summary>
    /// The Mann–Whitney estimate: the probability that a random poisoned row scores above a random clean one, ties
    /// counting one half (average ranks). NaN when either class is empty.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ or a score is NaN.</exception>
    public static double Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> poisoned)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(poisoned);
        if (scores.Count != poisoned.Count) throw new ArgumentException($"{scores.Count} scores but {poisoned.Count} labels.", nameof(poisoned));
        var n = scores.Count;
        for (var i = 0; i < n; i++)
            if (double.IsNaN(scores[i])) throw new ArgumentException($"score {i} is NaN.", nameof(scores));
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        long positives = 0;
        var start = 0;
        while (start < n)
        {
            var end = start + 1;
            while (end < n && scores[order[end]] == scores[order[start]]) end++;
            var midRank = (start + 1 + end) / 2.0; // ranks start..end-1 are 1-based start+1..end
            for (var j = start; j < end; j++)
                if (poisoned[order[j]])
                {
                    positiveRankSum += midRank;
                    positives++;
                }
            start = end;
        }
        var negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
