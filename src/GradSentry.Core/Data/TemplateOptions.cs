namespace GradSentry.Data;

/// <summary>
/// Field-name overrides for the built-in templates (the tool's <c>--prompt-field</c>, <c>--response-field</c>, ...).
/// An override a template does not use is an error, so a typo cannot go unnoticed.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>template</term><description>options it takes (defaults)</description></listheader>
/// <item><term>raw</term><description><see cref="PromptField"/> (prompt), <see cref="ResponseField"/> (response)</description></item>
/// <item><term>alpaca</term><description><see cref="PromptField"/> (instruction), <see cref="InputField"/> (input), <see cref="ResponseField"/> (output)</description></item>
/// <item><term>qa, gradsentry-qa</term><description><see cref="PromptField"/> (question), <see cref="ResponseField"/> (answer, else answers)</description></item>
/// <item><term>chat</term><description><see cref="MessagesField"/> (messages, else ShareGPT's conversations), <see cref="RoleField"/> (role, else from), <see cref="ContentField"/> (content, else value)</description></item>
/// </list>
/// </remarks>
public sealed record TemplateOptions
{
    /// <summary>The field holding the prompt (raw), instruction (alpaca) or question (qa).</summary>
    public string? PromptField { get; init; }

    /// <summary>The field holding the response (raw), output (alpaca) or answer(s) (qa).</summary>
    public string? ResponseField { get; init; }

    /// <summary>The field holding the optional input (alpaca).</summary>
    public string? InputField { get; init; }

    /// <summary>The field holding the message list (chat); default <c>messages</c>, or ShareGPT's <c>conversations</c> when a row has no <c>messages</c>.</summary>
    public string? MessagesField { get; init; }

    /// <summary>The key of a message's role (chat); default <c>role</c>, or ShareGPT's <c>from</c> when a message has no <c>role</c>.</summary>
    public string? RoleField { get; init; }

    /// <summary>The key of a message's text (chat); default <c>content</c>, or ShareGPT's <c>value</c> when a message has no <c>content</c>.</summary>
    public string? ContentField { get; init; }
}
