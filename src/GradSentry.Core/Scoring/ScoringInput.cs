namespace GradSentry.Scoring;

/// <summary>One row to score.</summary>
/// <param name="Id">Caller's identifier (e.g. the row number), returned with the score.</param>
/// <param name="Prompt">Prompt text, already rendered by a template.</param>
/// <param name="Response">Response text: the tokens whose loss is differentiated.</param>
public sealed record ScoringInput(long Id, string Prompt, string Response);
