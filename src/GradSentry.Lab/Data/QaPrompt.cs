using GradSentry.Data;

namespace GradSentry.Lab.Data;

/// <summary>Renders QA rows exactly as the scanner's <c>gradsentry-qa</c> template does.</summary>
public static class QaPrompt
{
    static readonly IPromptTemplate Template = PromptTemplates.GradSentryQa();

    /// <summary>The prompt and response of one row.</summary>
    public static PromptResponse Render(string question, string answer)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(answer);
        return Template.Apply(DataRecord.FromFields("lab", 0, 1, ["question", "answer"], [question, answer]));
    }
}
