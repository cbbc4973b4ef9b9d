namespace GradSentry.Lab.Data;

/// <summary>One clean question-answer pair from a QA source (NQ-open or the synthetic generator).</summary>
/// <param name="Question">The question text.</param>
/// <param name="Answers">The accepted answers, at least one.</param>
public sealed record QaPair(string Question, IReadOnlyList<string> Answers)
{
    /// <summary>The separator the reference uses to join list answers into one response.</summary>
    public const string AnswerSeparator = "; ";

    /// <summary>The response text the reference trains on: the answers joined with <c>"; "</c>.</summary>
    public string Answer => string.Join(AnswerSeparator, Answers);
}
