namespace GradSentry.Data;

/// <summary>The text a template makes of one record.</summary>
/// <param name="Prompt">Prompt text (unsupervised positions); may be empty.</param>
/// <param name="Response">Response text (the supervised positions); must not be empty.</param>
public readonly record struct PromptResponse(string Prompt, string Response);

/// <summary>Turns a raw record into a prompt and a response. See <see cref="PromptTemplates"/> for the built-in ones.</summary>
public interface IPromptTemplate
{
    /// <summary>The template's name, as reports show it.</summary>
    string Name { get; }

    /// <summary>Builds the prompt and response of <paramref name="record"/>.</summary>
    /// <exception cref="DatasetException">A field is missing, has the wrong type, or the response is empty.</exception>
    PromptResponse Apply(DataRecord record);
}
