using System.Globalization;

namespace GradSentry.Detection;

/// <summary>How reports write ONION's trigger candidates.</summary>
public static class OnionText
{
    /// <summary><c>'cf' (PPL −41.2, −38%, 12 rows), 'mn' (...)</c>: each word with its perplexity drop and the window rows holding it, or <c>none</c>.</summary>
    public static string Candidates(IReadOnlyList<WordSuspicion>? words)
    {
        if (words is null || words.Count == 0) return "none";
        return string.Join(", ", words.Select(w => string.Create(CultureInfo.InvariantCulture, $"'{w.Word}' (PPL −{w.Suspicion:0.##}, −{w.Drop:P0}, {w.Rows} row{(w.Rows == 1 ? "" : "s")})")));
    }
}
