using System.Text.Json;
using System.Text.RegularExpressions;
using GradSentry.Templating;
using GradSentry.Tokenization;

namespace GradSentry.Data;

/// <summary>
/// A model's own chat template (<c>chat_template</c> of <c>tokenizer_config.json</c>, or <c>chat_template.jinja</c>),
/// which renders chat rows exactly as fine-tuning frameworks do before they tokenize them.
/// </summary>
/// <remarks>
/// The split into prompt and response follows the fine-tuning frameworks that train on the assistant turn only (TRL's
/// prompt-completion path): prompt = the template over every message before the last assistant turn with
/// <c>add_generation_prompt=true</c>; the same template over the conversation up to and including that turn must start
/// with the prompt, and what follows is the response: the assistant's content as the template writes it (Llama-3 and
/// Gemma trim it) plus the template's end-of-turn markup. The scorer appends the EOS token to every response, so
/// an <c>eos_token</c> the template writes at the end of the turn is cut there rather than doubled (Mistral's
/// <c>&lt;/s&gt;</c>, Llama-3's and Qwen2's end of turn when it is the EOS token); anything after it (Qwen2's newline)
/// is not scored. When the tokenizer adds BOS itself, a <c>bos_token</c> the template writes at the start is left to the
/// tokenizer, so it is not doubled either.
/// </remarks>
public sealed partial class ModelChatTemplate
{
    /// <summary>Where Hugging Face keeps a model's chat template.</summary>
    public const string TokenizerConfigFile = "tokenizer_config.json";

    /// <summary>The separate file newer Hugging Face versions save the chat template to.</summary>
    public const string JinjaFile = "chat_template.jinja";

    const string Fix = "GradSentry renders the Jinja subset Hugging Face chat templates use; give a template it can render with --chat-template FILE, or score chat rows as 'role: content' lines with --chat-template none.";

    readonly JinjaTemplate _template;

    ModelChatTemplate(JinjaTemplate template, string sourcePath, string description, HfTokenizer tokenizer)
    {
        _template = template;
        SourcePath = sourcePath;
        Description = description;
        BosToken = tokenizer.BosToken;
        EosToken = tokenizer.EosToken;
        TokenizerAddsBos = tokenizer.AddBosToken;
        MarkersNotInVocabulary = template.LiteralTexts()
            .SelectMany(text => Marker().Matches(text).Select(m => m.Value))
            .Distinct(StringComparer.Ordinal)
            .Where(marker => tokenizer.TokenToId(marker) is null)
            .ToList();
    }

    /// <summary>The file the template was read from.</summary>
    public string SourcePath { get; }

    /// <summary>What reports show: <c>chat_template from tokenizer_config.json</c>, or the template file's name.</summary>
    public string Description { get; }

    /// <summary>The <c>bos_token</c> the template sees (undefined when the model has none).</summary>
    public string? BosToken { get; }

    /// <summary>The <c>eos_token</c> the template sees (undefined when the model has none).</summary>
    public string? EosToken { get; }

    /// <summary>Whether the tokenizer adds BOS by itself (then a leading <see cref="BosToken"/> is taken out of the prompt text).</summary>
    public bool TokenizerAddsBos { get; }

    /// <summary>
    /// Markup the template writes (<c>&lt;|eot_id|&gt;</c>, <c>&lt;start_of_turn&gt;</c>) that is not one token of this model's
    /// tokenizer, so it is scored as ordinary text. Empty for a model and template that belong together.
    /// </summary>
    public IReadOnlyList<string> MarkersNotInVocabulary { get; }

    /// <summary>Markup in a template: <c>&lt;|...|&gt;</c>, <c>&lt;name&gt;</c> and <c>&lt;/name&gt;</c>.</summary>
    [GeneratedRegex(@"<\|[^<>|\s]{1,64}\|>|</?[A-Za-z_][A-Za-z0-9_]{0,63}>", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();

    /// <summary>
    /// The chat template of <paramref name="modelDirectory"/>: <c>chat_template</c> of <c>tokenizer_config.json</c> (a
    /// string, or a list of named templates of which "default" is used), else <c>chat_template.jinja</c>; null when the
    /// model has none.
    /// </summary>
    /// <exception cref="TokenizerLoadException">The template cannot be read or parsed (the message names the file, and the
    /// line and column within the template), or the tokenizer cannot be loaded.</exception>
    public static ModelChatTemplate? Load(string modelDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        var configPath = Path.Combine(modelDirectory, TokenizerConfigFile);
        string? source = null;
        if (File.Exists(configPath))
        {
            using var document = HfJson.Parse(configPath);
            source = TemplateText(document.RootElement, configPath);
        }
        if (source is not null)
            return Create(source, configPath, "chat_template from " + TokenizerConfigFile, modelDirectory);
        var jinjaPath = Path.Combine(modelDirectory, JinjaFile);
        return File.Exists(jinjaPath) ? FromFile(jinjaPath, modelDirectory) : null;
    }

    /// <summary>A chat template read from a Jinja file, with the special tokens of <paramref name="modelDirectory"/>'s tokenizer.</summary>
    /// <exception cref="TokenizerLoadException">The file cannot be read or parsed, or the tokenizer cannot be loaded.</exception>
    public static ModelChatTemplate FromFile(string path, string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        if (GradSentry.IO.RegularFile.Problem(path) is { } problem) throw new TokenizerLoadException(path, problem);
        string text;
        try
        {
            text = System.Text.Encoding.UTF8.GetString(GradSentry.IO.RegularFile.ReadAllBytes(path, 1024 * 1024));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerLoadException(path, "the chat template cannot be read (" + ex.Message + ").", ex);
        }
        return Create(text, path, "chat_template from " + Path.GetFileName(path), modelDirectory);
    }

    static ModelChatTemplate Create(string source, string path, string description, string modelDirectory)
    {
        JinjaTemplate template;
        try
        {
            template = JinjaTemplate.Parse(source);
        }
        catch (JinjaException ex)
        {
            throw new TokenizerLoadException(path, $"chat_template, line {ex.Line}, column {ex.Column}: {ex.Problem} {Fix}", ex);
        }
        return new ModelChatTemplate(template, path, description, HfTokenizer.Load(modelDirectory));
    }

    static string? TemplateText(JsonElement root, string path)
    {
        if (HfJson.Get(root, "chat_template") is not { } value) return null;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Array:
                var names = new List<string>();
                foreach (var entry in value.EnumerateArray())
                {
                    var name = HfJson.String(entry, "name", path, "chat_template[]");
                    var text = HfJson.String(entry, "template", path, "chat_template[]");
                    if (name is null || text is null)
                        throw new TokenizerLoadException(path, "chat_template is a list, but an entry is not {\"name\": ..., \"template\": ...}.");
                    if (name == "default") return text;
                    names.Add(name);
                }
                throw new TokenizerLoadException(path, $"chat_template lists named templates ({string.Join(", ", names)}) but none is called \"default\". Give the one to use with --chat-template FILE.");
            default:
                throw new TokenizerLoadException(path, $"chat_template must be a string or a list of named templates, found {HfJson.Show(value)}.");
        }
    }

    /// <summary>
    /// Renders a conversation: the prompt is every message before <paramref name="lastAssistant"/> with the generation
    /// prompt, the response is that assistant turn as the template writes it (see the remarks on the class).
    /// </summary>
    /// <param name="record">The row, for errors (they name its file and line).</param>
    /// <param name="messagesField">The field holding the messages, for errors.</param>
    /// <param name="messages">The messages as the template sees them: <c>role</c> and <c>content</c>, and any other keys of the row's message.</param>
    /// <param name="lastAssistant">The index of the assistant turn that is the response.</param>
    /// <exception cref="DatasetException">The template refused the conversation (<c>raise_exception</c>), failed on it, or
    /// renders the earlier turns differently once the reply follows.</exception>
    public PromptResponse Render(DataRecord record, string messagesField, IReadOnlyList<IReadOnlyDictionary<string, object?>> messages, int lastAssistant)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(messages);
        var prompt = RenderTurns(record, messagesField, messages.Take(lastAssistant), addGenerationPrompt: true);
        var full = RenderTurns(record, messagesField, messages.Take(lastAssistant + 1), addGenerationPrompt: false);
        if (!full.StartsWith(prompt, StringComparison.Ordinal))
            throw record.Error(
                $"the {Description} renders the turns before the last assistant reply differently once the reply follows, so the prompt cannot be split from the reply (fine-tuning frameworks such as TRL refuse such a conversation too).",
                "Drop or reorder the turns the template treats specially (for Mistral's v3 template: a system message, which it writes only before the last user turn), or use --chat-template none.",
                messagesField);
        var response = full[prompt.Length..];
        // The scorer appends EOS itself: cut an EOS the template writes at the end of the turn rather than doubling it
        // (only at the end: an EOS inside the reply's own text stays).
        if (!string.IsNullOrEmpty(EosToken) && response.LastIndexOf(EosToken, StringComparison.Ordinal) is var eos and >= 0
            && string.IsNullOrWhiteSpace(response[(eos + EosToken.Length)..]))
            response = response[..eos];
        if (response.Length == 0)
            throw record.Error($"the {Description} writes nothing for the last assistant turn, so there is nothing to score.", "Drop the row or fill in the reply.", messagesField);
        if (TokenizerAddsBos && !string.IsNullOrEmpty(BosToken) && prompt.StartsWith(BosToken, StringComparison.Ordinal))
            prompt = prompt[BosToken.Length..];
        return new PromptResponse(prompt, response);
    }

    string RenderTurns(DataRecord record, string messagesField, IEnumerable<IReadOnlyDictionary<string, object?>> messages, bool addGenerationPrompt)
    {
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = messages.ToList(),
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        // A token the model does not have stays undefined, as in Hugging Face ('bos_token is defined' is false).
        if (BosToken is not null) variables["bos_token"] = BosToken;
        if (EosToken is not null) variables["eos_token"] = EosToken;
        try
        {
            return _template.Render(variables);
        }
        catch (JinjaRaisedException ex)
        {
            throw record.Error($"the model's {Description} refused this conversation: \"{ex.Problem}\"",
                "Fix the conversation, or score chat rows without the model's template (--chat-template none).", messagesField, ex);
        }
        catch (JinjaException ex)
        {
            throw record.Error($"the {Description} ({SourcePath}, template line {ex.Line}, column {ex.Column}) fails on this conversation: {ex.Problem}",
                "Check the row's messages against what the template expects, or use --chat-template none.", messagesField, ex);
        }
    }
}
