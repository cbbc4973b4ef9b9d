namespace GradSentry.Detection;

/// <summary>One prompt word as ONION sees it: how much the prompt's perplexity falls when the word is deleted.</summary>
/// <param name="Word">The word as it appears in the prompt (whitespace-delimited, punctuation kept).</param>
/// <param name="Suspicion">ONION's <c>f = PPL(prompt) − PPL(prompt without the word)</c>; positive when the word makes the prompt less likely.</param>
/// <param name="Drop">The same, scale-free: <c>1 − PPL(without) / PPL(prompt)</c>, below 1.</param>
/// <param name="Rows">Rows of the scoring window whose prompt holds the word (1: only this one).</param>
public sealed record WordSuspicion(string Word, double Suspicion, double Drop, int Rows)
{
    /// <summary>
    /// The word's contribution to the row score: <c>max(0, Drop) · (1 − 1/Rows)</c>. A word that only this row holds counts
    /// nothing: the model finds many one-off names and numbers as surprising as a trigger, but a planted trigger recurs.
    /// </summary>
    public double Weighted => Math.Max(0, Drop) * (1 - 1.0 / Math.Max(1, Rows));
}
