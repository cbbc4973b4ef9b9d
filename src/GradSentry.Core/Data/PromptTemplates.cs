using System.Text;
using System.Text.Json;

namespace GradSentry.Data;

/// <summary>
/// The built-in templates and template files.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>raw</c>: prompt = field <c>prompt</c>, response = field <c>response</c>, both strings, verbatim.</item>
/// <item><c>alpaca</c>: the Stanford Alpaca prompt (<see cref="AlpacaPromptWithInput"/> when <c>input</c> is a non-empty
/// string, else <see cref="AlpacaPromptNoInput"/>), response = <c>output</c>.</item>
/// <item><c>qa</c>: prompt = <c>question</c> verbatim, response = <c>answer</c> (or <c>answers</c> when there is no
/// <c>answer</c>): a string, or a list of strings joined with <c>"; "</c>.</item>
/// <item><c>gradsentry-qa</c>: as <c>qa</c> with the reference GradSentry prompt <see cref="GradSentryQaPrompt"/>.</item>
/// <item><c>chat</c>: <c>messages</c> = [{role, content}, ...] (or ShareGPT's <c>conversations</c> = [{from, value}, ...],
/// with <c>human</c>/<c>gpt</c> read as <c>user</c>/<c>assistant</c>); response = the content of the last message whose role
/// is <c>assistant</c>; prompt = every earlier message as <c>"{role}: {content}\n"</c> followed by <c>"assistant: "</c>.
/// Messages after the last assistant turn are ignored. A record without an assistant turn is an error. With the model's
/// own chat template (<see cref="ModelChatTemplate"/>) the prompt and response are what that template renders instead.</item>
/// </list>
/// Every template: an empty prompt is allowed; an empty response is an error (there is nothing to score).
/// Whitespace is never trimmed.
/// </remarks>
public static class PromptTemplates
{
    /// <summary>Name of <see cref="Raw"/>.</summary>
    public const string RawName = "raw";
    /// <summary>Name of <see cref="Alpaca"/>.</summary>
    public const string AlpacaName = "alpaca";
    /// <summary>Name of <see cref="Qa"/>.</summary>
    public const string QaName = "qa";
    /// <summary>Name of <see cref="Chat"/>.</summary>
    public const string ChatName = "chat";
    /// <summary>Name of <see cref="GradSentryQa"/>.</summary>
    public const string GradSentryQaName = "gradsentry-qa";

    /// <summary>The Stanford Alpaca prompt for records with an input (<c>train.py</c>, <c>PROMPT_DICT["prompt_input"]</c>).</summary>
    public const string AlpacaPromptWithInput =
        "Below is an instruction that describes a task, paired with an input that provides further context. " +
        "Write a response that appropriately completes the request.\n\n" +
        "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:";

    /// <summary>The Stanford Alpaca prompt for records without an input (<c>PROMPT_DICT["prompt_no_input"]</c>).</summary>
    public const string AlpacaPromptNoInput =
        "Below is an instruction that describes a task. " +
        "Write a response that appropriately completes the request.\n\n" +
        "### Instruction:\n{instruction}\n\n### Response:";

    /// <summary>The reference GradSentry QA prompt (the golden data's prompts are exactly this).</summary>
    public const string GradSentryQaPrompt =
        "### Instruction:\nAnswer the question briefly.\n\n\n\n### Question:\n{question}\n\n\n\n### Answer: ";

    /// <summary>The largest template file read, in bytes (1 MiB).</summary>
    public const long MaxFileBytes = 1024 * 1024;

    /// <summary>The built-in template names.</summary>
    public static IReadOnlyList<string> Names { get; } = [RawName, AlpacaName, QaName, ChatName, GradSentryQaName];

    /// <summary>Prompt and response taken verbatim from two string fields.</summary>
    public static IPromptTemplate Raw(TemplateOptions? options = null)
    {
        Only(RawName, options, prompt: true, response: true);
        return new RawTemplate(options?.PromptField ?? "prompt", options?.ResponseField ?? "response");
    }

    /// <summary>Stanford Alpaca instruction / input / output.</summary>
    public static IPromptTemplate Alpaca(TemplateOptions? options = null)
    {
        Only(AlpacaName, options, prompt: true, response: true, input: true);
        return new AlpacaTemplate(options?.PromptField ?? "instruction", options?.InputField ?? "input", options?.ResponseField ?? "output");
    }

    /// <summary>Question verbatim as the prompt; answer string or list as the response.</summary>
    public static IPromptTemplate Qa(TemplateOptions? options = null)
    {
        Only(QaName, options, prompt: true, response: true);
        return new QaTemplate(QaName, FormatString.Parse("{question}"), options?.PromptField ?? "question", options?.ResponseField);
    }

    /// <summary>The reference GradSentry QA prompt around the question; answer string or list as the response.</summary>
    public static IPromptTemplate GradSentryQa(TemplateOptions? options = null)
    {
        Only(GradSentryQaName, options, prompt: true, response: true);
        return new QaTemplate(GradSentryQaName, FormatString.Parse(GradSentryQaPrompt), options?.PromptField ?? "question", options?.ResponseField);
    }

    /// <summary>
    /// A message list; the last assistant turn is the response. With <paramref name="chatTemplate"/> (the model's own
    /// <c>chat_template</c>) the conversation is rendered as the model sees it in fine-tuning; without, as
    /// <c>role: content</c> lines.
    /// </summary>
    public static IPromptTemplate Chat(TemplateOptions? options = null, ModelChatTemplate? chatTemplate = null)
    {
        Only(ChatName, options, messages: true);
        return new ChatTemplate(options?.MessagesField, options?.RoleField, options?.ContentField, chatTemplate);
    }

    /// <summary>A built-in template by name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones), or an option the template does not take.</exception>
    /// <param name="name">The template's name.</param>
    /// <param name="options">Field-name overrides.</param>
    /// <param name="chatTemplate">The model's chat template, used by <c>chat</c> (see <see cref="Chat"/>).</param>
    public static IPromptTemplate Create(string name, TemplateOptions? options = null, ModelChatTemplate? chatTemplate = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            RawName => Raw(options),
            AlpacaName => Alpaca(options),
            QaName => Qa(options),
            ChatName => Chat(options, chatTemplate),
            GradSentryQaName => GradSentryQa(options),
            _ => throw new ArgumentException($"Unknown template '{name}'; use one of {string.Join(", ", Names)}, or the path of a template file.", nameof(name)),
        };
    }

    /// <summary>A built-in template when <paramref name="nameOrPath"/> is a built-in name, else the template file at that path.</summary>
    /// <exception cref="ArgumentException">Neither a built-in name nor an existing file.</exception>
    /// <exception cref="DatasetException">The template file is invalid.</exception>
    /// <param name="nameOrPath">A built-in template's name or a template file.</param>
    /// <param name="options">Field-name overrides (built-in templates only).</param>
    /// <param name="chatTemplate">The model's chat template, used by <c>chat</c> (see <see cref="Chat"/>).</param>
    public static IPromptTemplate Resolve(string nameOrPath, TemplateOptions? options = null, ModelChatTemplate? chatTemplate = null)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (Names.Contains(nameOrPath.ToLowerInvariant())) return Create(nameOrPath, options, chatTemplate);
        if (!File.Exists(nameOrPath))
            throw new ArgumentException($"'{nameOrPath}' is neither a built-in template ({string.Join(", ", Names)}) nor an existing template file.", nameof(nameOrPath));
        if (options is not null && options != new TemplateOptions())
            throw new ArgumentException("Field options do not apply to a template file; name the fields in the file instead.", nameof(options));
        return Load(nameOrPath);
    }

    /// <summary>
    /// Loads a template file: a JSON object
    /// <c>{"name": "optional-name", "prompt": "Q: {question}\nA: ", "response": "answer"}</c>.
    /// <c>prompt</c> is a format string whose <c>{field}</c> placeholders are replaced by the record's fields
    /// (<c>{{</c> and <c>}}</c> are literal braces); <c>response</c> names the response field. A placeholder or the
    /// response may be a string, a list of strings (joined with <c>"; "</c>), a number or a boolean. Unknown keys are errors.
    /// </summary>
    /// <exception cref="DatasetException">The file does not exist or is not such an object (the message names the file and line).</exception>
    public static IPromptTemplate Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        const string Shape = "A template file is a JSON object like {\"prompt\": \"Q: {question}\\nA: \", \"response\": \"answer\"} (optional \"name\").";
        var info = GradSentry.IO.FileFacts.Of(path);
        if (!info.Exists) throw new DatasetException(path, 0, null, "the template file does not exist.", "Check the path, or use a built-in template (" + string.Join(", ", Names) + ").");
        if (info.Kind != GradSentry.IO.FileKind.Regular)
            throw new DatasetException(path, 0, null, GradSentry.IO.RegularFile.Problem(path)!, Shape);
        if (info.Size > MaxFileBytes)
            throw new DatasetException(path, 0, null, "the template file is larger than 1 MiB.", Shape);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(GradSentry.IO.RegularFile.ReadAllBytes(path, MaxFileBytes), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (IOException ex)
        {
            throw new DatasetException(path, 0, null, "the template file cannot be read (" + ex.Message + ").", Shape, ex);
        }
        catch (JsonException ex)
        {
            throw new DatasetException(path, (ex.LineNumber ?? 0) + 1, (ex.BytePositionInLine ?? 0) + 1,
                $"invalid JSON ({DataRecord.ShortJsonMessage(ex)}).", Shape, ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new DatasetException(path, 0, null, $"the template file holds {DataRecord.Describe(root.ValueKind)}, not an object.", Shape);
            string? name = null, prompt = null, response = null;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                    throw new DatasetException(path, 0, null, $"\"{property.Name}\" must be a string, not {DataRecord.Describe(property.Value.ValueKind)}.", Shape) { Field = property.Name };
                var value = property.Value.GetString()!;
                switch (property.Name)
                {
                    case "name": name = value; break;
                    case "prompt": prompt = value; break;
                    case "response": response = value; break;
                    default:
                        throw new DatasetException(path, 0, null, $"unknown key \"{property.Name}\" (known: name, prompt, response).", Shape) { Field = property.Name };
                }
            }
            if (prompt is null) throw new DatasetException(path, 0, null, "the key \"prompt\" is missing.", Shape) { Field = "prompt" };
            if (string.IsNullOrEmpty(response)) throw new DatasetException(path, 0, null, "the key \"response\" (the response field's name) is missing or empty.", Shape) { Field = "response" };
            FormatString format;
            try
            {
                format = FormatString.Parse(prompt);
            }
            catch (FormatException ex)
            {
                throw new DatasetException(path, 0, null, $"the prompt format is invalid: {ex.Message}", "Write placeholders as {field} and literal braces as {{ and }}.", ex) { Field = "prompt" };
            }
            return new FileTemplate(string.IsNullOrEmpty(name) ? Path.GetFileNameWithoutExtension(path) : name, format, response);
        }
    }

    /// <summary>Throws when <paramref name="options"/> sets a field the template does not take.</summary>
    static void Only(string template, TemplateOptions? options, bool prompt = false, bool response = false, bool input = false, bool messages = false)
    {
        if (options is null) return;
        Check(options.PromptField, prompt, "PromptField (--prompt-field)");
        Check(options.ResponseField, response, "ResponseField (--response-field)");
        Check(options.InputField, input, "InputField (--input-field)");
        Check(options.MessagesField, messages, "MessagesField (--messages-field)");
        Check(options.RoleField, messages, "RoleField (--role-field)");
        Check(options.ContentField, messages, "ContentField (--content-field)");

        void Check(string? value, bool allowed, string what)
        {
            if (value is null) return;
            if (!allowed) throw new ArgumentException($"The '{template}' template does not use {what}.", nameof(options));
            if (value.Length == 0) throw new ArgumentException($"{what} must not be empty.", nameof(options));
        }
    }

    /// <summary>Throws when the response is empty.</summary>
    internal static string RequireResponse(DataRecord record, string response, string field)
    {
        if (response.Length == 0)
            throw record.Error($"the response (field '{field}') is empty, so there is nothing to score.",
                "Drop the row or fill in the response.", field);
        return response;
    }

    sealed class RawTemplate(string promptField, string responseField) : IPromptTemplate
    {
        public string Name => RawName;

        public PromptResponse Apply(DataRecord record)
        {
            ArgumentNullException.ThrowIfNull(record);
            var prompt = record.GetString(promptField);
            return new PromptResponse(prompt, RequireResponse(record, record.GetString(responseField), responseField));
        }
    }

    sealed class AlpacaTemplate(string instructionField, string inputField, string outputField) : IPromptTemplate
    {
        static readonly FormatString WithInput = FormatString.Parse(AlpacaPromptWithInput);
        static readonly FormatString NoInput = FormatString.Parse(AlpacaPromptNoInput);

        public string Name => AlpacaName;

        public PromptResponse Apply(DataRecord record)
        {
            ArgumentNullException.ThrowIfNull(record);
            var instruction = record.GetString(instructionField);
            var input = record.GetOptionalString(inputField) ?? "";
            // One pass over the format, so braces in the data are never taken for placeholders.
            var prompt = (input.Length == 0 ? NoInput : WithInput).Format(name => name == "input" ? input : instruction);
            return new PromptResponse(prompt, RequireResponse(record, record.GetString(outputField), outputField));
        }
    }

    sealed class QaTemplate(string name, FormatString prompt, string questionField, string? answerField) : IPromptTemplate
    {
        public string Name => name;

        public PromptResponse Apply(DataRecord record)
        {
            ArgumentNullException.ThrowIfNull(record);
            var question = record.GetString(questionField);
            var field = answerField ?? (!record.Contains("answer") && record.Contains("answers") ? "answers" : "answer");
            var answers = record.GetStrings(field);
            if (answers.Count == 0)
                throw record.Error($"the answer list (field '{field}') is empty, so there is nothing to score.", "Drop the row or give at least one answer.", field);
            var text = prompt.Format(_ => question);
            return new PromptResponse(text, RequireResponse(record, string.Join("; ", answers), field));
        }
    }

    sealed class ChatTemplate(string? messagesOption, string? roleOption, string? contentOption, ModelChatTemplate? chatTemplate) : IPromptTemplate
    {
        public string Name => ChatName;

        /// <summary>ShareGPT's role names, read as the chat roles they stand for.</summary>
        static string NormalizeRole(string role) => role switch
        {
            "human" => "user",
            "gpt" or "model" => "assistant",
            _ => role,
        };

        public PromptResponse Apply(DataRecord record)
        {
            ArgumentNullException.ThrowIfNull(record);
            const string Fix = "Give each message as {\"role\": \"user\", \"content\": \"...\"} (or ShareGPT's {\"from\": \"human\", \"value\": \"...\"}) with string role and content, or map the keys (--role-field, --content-field).";
            var messagesField = messagesOption ?? (!record.Contains("messages") && record.Contains("conversations") ? "conversations" : "messages");
            var messages = record.GetJson(messagesField);
            if (messages.ValueKind != JsonValueKind.Array)
                throw record.Error($"the field '{messagesField}' is {DataRecord.Describe(messages.ValueKind)}, expected a list of messages.", Fix, messagesField);
            var turns = new List<(string Role, string Content)>();
            var templateMessages = new List<IReadOnlyDictionary<string, object?>>();
            foreach (var message in messages.EnumerateArray())
            {
                var n = turns.Count;
                if (message.ValueKind != JsonValueKind.Object)
                    throw record.Error($"message {n} of '{messagesField}' is {DataRecord.Describe(message.ValueKind)}, not an object.", Fix, messagesField);
                var roleKey = roleOption ?? (!message.TryGetProperty("role", out _) && message.TryGetProperty("from", out _) ? "from" : "role");
                var contentKey = contentOption ?? (!message.TryGetProperty("content", out _) && message.TryGetProperty("value", out _) ? "value" : "content");
                var turn = (Role: NormalizeRole(Text(record, message, roleKey, n)), Content: Text(record, message, contentKey, n));
                turns.Add(turn);
                if (chatTemplate is not null) templateMessages.Add(TemplateMessage(message, roleKey, contentKey, turn.Role, turn.Content));
            }
            var last = turns.FindLastIndex(t => t.Role == "assistant");
            if (last < 0)
                throw record.Error($"the conversation in '{messagesField}' has no message with role \"assistant\", so there is no response to score.",
                    "Drop the row or add the assistant's reply.", messagesField);
            if (chatTemplate is not null)
            {
                RequireResponse(record, turns[last].Content, messagesField);
                return chatTemplate.Render(record, messagesField, templateMessages, last);
            }
            var prompt = new StringBuilder();
            for (var i = 0; i < last; i++) prompt.Append(turns[i].Role).Append(": ").Append(turns[i].Content).Append('\n');
            prompt.Append("assistant: ");
            return new PromptResponse(prompt.ToString(), RequireResponse(record, turns[last].Content, messagesField));

            // The message as Hugging Face hands it to a chat template: role and content under those names (mapped keys
            // and ShareGPT's from/value renamed, roles normalized), every other key of the row's message as it is.
            static Dictionary<string, object?> TemplateMessage(JsonElement message, string roleKey, string contentKey, string role, string content)
            {
                var result = new Dictionary<string, object?>(StringComparer.Ordinal) { ["role"] = role, ["content"] = content };
                foreach (var property in message.EnumerateObject())
                    if (property.Name != roleKey && property.Name != contentKey) result.TryAdd(property.Name, property.Value);
                return result;
            }

            string Text(DataRecord r, JsonElement message, string key, int n)
            {
                if (message.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    try
                    {
                        return value.GetString()!;
                    }
                    catch (InvalidOperationException ex)
                    {
                        throw r.Error($"message {n} of '{messagesField}' has an invalid string in \"{key}\".", "Repair the broken escape.", messagesField, ex);
                    }
                }
                var found = message.TryGetProperty(key, out var v) ? DataRecord.Describe(v.ValueKind) : "missing";
                throw r.Error($"message {n} of '{messagesField}' has \"{key}\" {found}, expected a string.", Fix, messagesField);
            }
        }
    }

    sealed class FileTemplate(string name, FormatString prompt, string responseField) : IPromptTemplate
    {
        public string Name => name;

        public PromptResponse Apply(DataRecord record)
        {
            ArgumentNullException.ThrowIfNull(record);
            var text = prompt.Format(record.GetText);
            return new PromptResponse(text, RequireResponse(record, record.GetText(responseField), responseField));
        }
    }
}
