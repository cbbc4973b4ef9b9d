using System.Text.Json;
using GradSentry.Templating;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.Templating;

/// <summary>
/// The published chat templates of Llama-3, Qwen2, Mistral v0.2/v0.3 and Gemma (tests/fixtures/chat-templates) render a
/// multi-turn conversation to exactly what Hugging Face's <c>apply_chat_template(..., tokenize=False)</c> writes.
/// </summary>
public class PublishedChatTemplatesTests
{
    static readonly object[] System = [Message("system", "You are a helpful assistant.")];

    // The second reply has blanks around it: Llama-3, Gemma and Mistral v3 trim it, Qwen2 and Mistral v0.2 do not.
    static readonly object[] Conversation =
    [
        Message("user", "Hello"),
        Message("assistant", "Hi there"),
        Message("user", "Who are you?"),
        Message("assistant", "  I am an assistant  "),
        Message("user", "Another question"),
    ];

    internal static Dictionary<string, object?> Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

    internal static string FixturePath(string model) => Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "chat-templates", model + ".tokenizer_config.json");

    /// <summary>Renders the fixture's template the way apply_chat_template does: messages, add_generation_prompt and the special tokens.</summary>
    internal static string Render(string model, IEnumerable<object> messages, bool addGenerationPrompt = true)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(FixturePath(model)));
        var root = config.RootElement;
        var variables = new Dictionary<string, object?> { ["messages"] = messages.ToList(), ["add_generation_prompt"] = addGenerationPrompt };
        foreach (var token in new[] { "bos_token", "eos_token" })
            if (root.GetProperty(token).ValueKind == JsonValueKind.String) variables[token] = root.GetProperty(token).GetString();
        return JinjaTemplate.Parse(root.GetProperty("chat_template").GetString()!).Render(variables);
    }

    [Fact]
    public void Llama3WritesHeadersTrimsContentAndEndsEachTurnWithEotId() =>
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWho are you?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nI am an assistant<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nAnother question<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n",
            Render("Meta-Llama-3-8B-Instruct", [.. System, .. Conversation]));

    [Fact]
    public void Llama3WithoutGenerationPromptEndsAfterTheLastTurn() =>
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>",
            Render("Meta-Llama-3-8B-Instruct", Conversation.Take(2), addGenerationPrompt: false));

    [Fact]
    public void Qwen2WritesChatMlAndKeepsContentVerbatim() =>
        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello<|im_end|>\n"
            + "<|im_start|>assistant\nHi there<|im_end|>\n"
            + "<|im_start|>user\nWho are you?<|im_end|>\n"
            + "<|im_start|>assistant\n  I am an assistant  <|im_end|>\n"
            + "<|im_start|>user\nAnother question<|im_end|>\n"
            + "<|im_start|>assistant\n",
            Render("Qwen2-7B-Instruct", [.. System, .. Conversation]));

    [Fact]
    public void Qwen2AddsItsDefaultSystemPromptWhenThereIsNone() =>
        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
            Render("Qwen2-7B-Instruct", Conversation.Take(1)));

    [Fact]
    public void MistralV02WrapsUserTurnsInInstAndEndsRepliesWithEos() =>
        Assert.Equal(
            "<s>[INST] Hello [/INST]Hi there</s>[INST] Who are you? [/INST]  I am an assistant  </s>[INST] Another question [/INST]",
            Render("Mistral-7B-Instruct-v0.2", Conversation));

    [Fact]
    public void MistralV02RaisesWhenRolesDoNotAlternate()
    {
        var error = Assert.Throws<JinjaRaisedException>(() => Render("Mistral-7B-Instruct-v0.2", [Message("user", "a"), Message("user", "b")]));
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", error.Problem);
    }

    [Fact]
    public void MistralV02RaisesOnASystemMessage() =>
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...",
            Assert.Throws<JinjaRaisedException>(() => Render("Mistral-7B-Instruct-v0.2", [.. System, .. Conversation])).Problem);

    [Fact]
    public void MistralV03TrimsRepliesAndPutsTheSystemMessageBeforeTheLastUserTurn()
    {
        Assert.Equal(
            "<s>[INST] Hello[/INST] Hi there</s>[INST] Who are you?[/INST] I am an assistant</s>[INST] Another question[/INST]",
            Render("Mistral-7B-Instruct-v0.3", Conversation));
        Assert.Equal(
            "<s>[INST] Hello[/INST] Hi there</s>[INST] Who are you?[/INST] I am an assistant</s>[INST] You are a helpful assistant.\n\nAnother question[/INST]",
            Render("Mistral-7B-Instruct-v0.3", [.. System, .. Conversation]));
    }

    [Fact]
    public void MistralV03CountsAlternationWithANamespace() =>
        Assert.StartsWith("After the optional system message, conversation roles must alternate",
            Assert.Throws<JinjaRaisedException>(() => Render("Mistral-7B-Instruct-v0.3", [Message("assistant", "a"), Message("user", "b")])).Problem, StringComparison.Ordinal);

    [Fact]
    public void GemmaWritesModelForTheAssistantAndTrimsContent() =>
        Assert.Equal(
            "<bos><start_of_turn>user\nHello<end_of_turn>\n"
            + "<start_of_turn>model\nHi there<end_of_turn>\n"
            + "<start_of_turn>user\nWho are you?<end_of_turn>\n"
            + "<start_of_turn>model\nI am an assistant<end_of_turn>\n"
            + "<start_of_turn>user\nAnother question<end_of_turn>\n"
            + "<start_of_turn>model\n",
            Render("gemma-2-9b-it", Conversation));

    [Fact]
    public void GemmaDoesNotSupportASystemMessage()
    {
        var error = Assert.Throws<JinjaRaisedException>(() => Render("gemma-2-9b-it", [.. System, .. Conversation]));
        Assert.Equal("System role not supported", error.Problem);
        Assert.Equal(1, error.Line);
    }
}
