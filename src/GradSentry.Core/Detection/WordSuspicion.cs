namespace GradSentry.Detection;

/// <summary>One prompt word as ONION sees it: how much the prompt's perplexity falls when the word is deleted.</summary>
/// <param name="Word">The word as it appears in the prompt (whitespace-delimited, punctuation kept).</param>
/// <param name="Suspicion">ONION's <c>f = PPL(prompt) − PPL(prompt without the word)</c>; positive when the word makes the prompt less likely.</param>
/// <param name="Drop">The same, scale-free: <c>1 − PPL(without) / PPL(prompt)</c>, below 1; the row score is the largest positive one.</param>
public sealed record WordSuspicion(string Word, double Suspicion, double Drop);
