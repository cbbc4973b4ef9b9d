using System.Text.RegularExpressions;

namespace GradSentry.Lab.Metrics;

/// <summary>
/// The reference's exact-match rule for CACC and ASR: ROUGE-L recall over distinct lower-cased words equals 1, i.e.
/// every distinct word of the target appears, in order, among the distinct words of the generation.
/// </summary>
public static partial class ExactMatch
{
    /// <summary>Distinct lower-cased words (runs of letters, digits and <c>_</c>) in first-occurrence order.</summary>
    public static IReadOnlyList<string> DistinctWords(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var words = new List<string>();
        foreach (Match m in Word().Matches(text.ToLowerInvariant()))
            if (seen.Add(m.Value)) words.Add(m.Value);
        return words;
    }

    /// <summary>ROUGE-L recall: LCS(target words, generated words) / |target words| (1 for an empty target).</summary>
    public static double RougeLRecall(string target, string generated)
    {
        var t = DistinctWords(target);
        var g = DistinctWords(generated);
        if (t.Count == 0) return 1;
        var lcs = new int[t.Count + 1, g.Count + 1];
        for (var i = 1; i <= t.Count; i++)
            for (var j = 1; j <= g.Count; j++)
                lcs[i, j] = t[i - 1] == g[j - 1] ? lcs[i - 1, j - 1] + 1 : Math.Max(lcs[i - 1, j], lcs[i, j - 1]);
        return (double)lcs[t.Count, g.Count] / t.Count;
    }

    /// <summary>True when some target in <paramref name="targets"/> has ROUGE-L recall 1 against <paramref name="generated"/>.</summary>
    public static bool Matches(IEnumerable<string> targets, string generated)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return targets.Any(t => RougeLRecall(t, generated) >= 1);
    }

    [GeneratedRegex(@"[\p{L}\p{N}_]+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
