using GradSentry.Lab.Data;
using static TorchSharp.torch;

namespace GradSentry.Lab.Baselines;

/// <summary>The cheap and competing detectors the lab always runs next to GradSentry. Higher score = more suspect.</summary>
public static partial class Baselines
{
    /// <summary>Answer length only: <c>1 − 1/T</c>, a strictly increasing function of T in [0, 1).</summary>
    public static double[] LengthOnly(IReadOnlyList<int> answerTokens)
    {
        ArgumentNullException.ThrowIfNull(answerTokens);
        return answerTokens.Select(t => 1.0 - 1.0 / Math.Max(1, t)).ToArray();
    }

    /// <summary>Uniform random scores in [0, 1) from <paramref name="seed"/>.</summary>
    public static double[] Random(int count, ulong seed)
    {
        var rng = LabRandom.For(seed, "random-baseline");
        return Enumerable.Range(0, count).Select(_ => rng.NextDouble()).ToArray();
    }

    /// <summary>
    /// Spectral signatures (Tran et al., 2018): center the representations, take the top right singular vector v of the
    /// centered matrix, score each row by its squared projection <c>((x − μ)·v)²</c>.
    /// </summary>
    /// <param name="representations">One vector per row, all the same length.</param>
    public static double[] SpectralSignatures(IReadOnlyList<float[]> representations)
    {
        ArgumentNullException.ThrowIfNull(representations);
        if (representations.Count == 0) return [];
        var n = representations.Count;
        var p = representations[0].Length;
        using var scope = NewDisposeScope();
        var x = tensor(representations.SelectMany(r => r.Length == p ? r : throw new ArgumentException("representations differ in length.")).Select(v => (double)v).ToArray(), [n, p], float64);
        var centered = x - x.mean([0], keepdim: true);
        var (_, _, vh) = linalg.svd(centered, fullMatrices: false);
        var v = vh[0];
        var projection = centered.mv(v);
        return (projection * projection).data<double>().ToArray();
    }

    /// <summary>
    /// A text-only payload-recurrence baseline: each answer's lower-cased word bigrams (words = runs of letters, digits,
    /// <c>_</c>, <c>&lt;</c>, <c>&gt;</c>); the score is the largest number of other rows whose answers share one of its
    /// bigrams (0 for answers of fewer than two words). A payload repeated across poisoned rows recurs; so does any
    /// phrase that many clean answers share.
    /// </summary>
    public static double[] AnswerRecurrence(IReadOnlyList<string> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var bigrams = answers.Select(a =>
        {
            var words = WordPattern().Matches(a.ToLowerInvariant()).Select(m => m.Value).ToList();
            return Enumerable.Range(0, Math.Max(0, words.Count - 1)).Select(i => words[i] + " " + words[i + 1]).ToHashSet(StringComparer.Ordinal);
        }).ToList();
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var set in bigrams)
            foreach (var b in set) documentFrequency[b] = documentFrequency.GetValueOrDefault(b) + 1;
        return bigrams.Select(set => set.Count == 0 ? 0.0 : set.Max(b => documentFrequency[b]) - 1.0).ToArray();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"[\p{L}\p{N}_<>]+", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex WordPattern();

    /// <summary>Rescales scores linearly to [0, 1] (all 0 when they are all equal), for threshold rules built for [0, 1].</summary>
    public static double[] MinMax(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0) return [];
        var min = scores.Min();
        var max = scores.Max();
        return max > min ? scores.Select(s => (s - min) / (max - min)).ToArray() : new double[scores.Count];
    }
}
