namespace GradSentry.Detection;

/// <summary>What ONION found in one prompt.</summary>
/// <param name="Score">The row score in [0, 1]: the largest <see cref="WordSuspicion.Weighted"/> drop (0 when no deletion of a recurring word lowers the perplexity, or when <see cref="NotExamined"/> is set).</param>
/// <param name="Perplexity">The prompt's perplexity (NaN when it could not be measured).</param>
/// <param name="Words">Every deleted word's suspicion, most suspicious first (ties: the rarer word in the window first).</param>
/// <param name="WordsDeleted">Distinct words deleted (at most <see cref="OnionOptions.MaxDeletions"/>).</param>
/// <param name="NotExamined">Why ONION could not examine the row (it then scores 0), or null.</param>
public sealed record OnionRow(double Score, double Perplexity, IReadOnlyList<WordSuspicion> Words, int WordsDeleted, string? NotExamined)
{
    /// <summary>The <paramref name="count"/> most suspicious words with a positive suspicion: the row's trigger candidates.</summary>
    public IReadOnlyList<WordSuspicion> TopWords(int count) => Words.Where(w => w.Suspicion > 0).Take(Math.Max(0, count)).ToList();

    /// <summary>A row ONION could not examine, scored 0.</summary>
    public static OnionRow Unexamined(string reason, double perplexity = double.NaN) => new(0, perplexity, [], 0, reason);
}
