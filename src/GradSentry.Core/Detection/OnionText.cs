using System.Globalization;

namespace GradSentry.Detection;

/// <summary>How reports write ONION's trigger candidates.</summary>
public static class OnionText
{
    /// <summary><c>'cf' (PPL −41.2, −38%), 'mn' (...)</c>: each word with its perplexity drop, or <c>none</c>.</summary>
    public static string Candidates(IReadOnlyList<WordSuspicion>? words)
    {
        if (words is null || words.Count == 0) return "none";
        return string.Join(", ", words.Select(w => string.Create(CultureInfo.InvariantCulture, $"'{w.Word}' (PPL −{w.Suspicion:0.##}, −{w.Drop:P0})")));
    }
}
