using System.Text.Json;
using GradSentry.Data;
using GradSentry.Tests.Support;
using GradSentry.Tests.Templating;
using GradSentry.Tokenization;

namespace GradSentry.Tests.Data;

/// <summary>
/// Chat rows through a model's own chat_template: the bundled tiny tokenizer with a published template in its
/// tokenizer_config.json (the way a user tries a Llama-3-style template on the demo model).
/// </summary>
public sealed class ModelChatTemplateTests : IDisposable
{
    readonly TempDirectory _model = TestPaths.NewTempDirectory();

    public void Dispose() => _model.Dispose();

    static string BundledModel => Path.Combine(TestPaths.RepoRoot, "samples", "models", "tiny-llama");

    /// <summary>A copy of the bundled model's tokenizer whose tokenizer_config.json carries <paramref name="chatTemplate"/>.</summary>
    string ModelWith(object? chatTemplate)
    {
        foreach (var file in new[] { "tokenizer.json", "special_tokens_map.json", "config.json" })
            File.Copy(Path.Combine(BundledModel, file), _model.File(file), overwrite: true);
        var config = JsonSerializer.Deserialize<Dictionary<string, object?>>(File.ReadAllText(Path.Combine(BundledModel, "tokenizer_config.json")))!;
        if (chatTemplate is not null) config["chat_template"] = chatTemplate;
        File.WriteAllText(_model.File("tokenizer_config.json"), JsonSerializer.Serialize(config));
        return _model.Path;
    }

    static string PublishedTemplate(string model)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(PublishedChatTemplatesTests.FixturePath(model)));
        return config.RootElement.GetProperty("chat_template").GetString()!;
    }

    static PromptResponse Apply(IPromptTemplate template, string json, long line = 3)
    {
        using var doc = JsonDocument.Parse(json);
        return template.Apply(DataRecord.FromJson("chat.jsonl", 0, line, doc.RootElement));
    }

    const string Conversation =
        "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"},"
        + " {\"role\": \"user\", \"content\": \"Capital of France?\"}, {\"role\": \"assistant\", \"content\": \" Paris \"}]}";

    [Fact]
    public void TheBundledModelHasNoChatTemplateSoRowsFallBackToRoleContentLines() =>
        Assert.Null(ModelChatTemplate.Load(BundledModel));

    [Fact]
    public void Llama3PromptIsEveryEarlierTurnWithTheGenerationPromptAndTheResponseIsTheTrimmedReply()
    {
        var chat = ModelChatTemplate.Load(ModelWith(PublishedTemplate("Meta-Llama-3-8B-Instruct")))!;
        var result = Apply(PromptTemplates.Chat(chatTemplate: chat), Conversation);
        // The tiny tokenizer adds BOS itself, so the template's leading <s> is left to it (not doubled).
        Assert.True(chat.TokenizerAddsBos);
        Assert.Equal(
            "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nCapital of France?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n", result.Prompt);
        // The end of turn is not this tokenizer's EOS (</s>), so it is part of the scored reply; EOS follows it.
        Assert.Equal("Paris<|eot_id|>", result.Response);
        Assert.Equal("chat_template from tokenizer_config.json", chat.Description);
        Assert.Equal(["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"], chat.MarkersNotInVocabulary);
    }

    [Fact]
    public void MistralsEosAtTheEndOfTheReplyIsLeftToTheScorer()
    {
        var chat = ModelChatTemplate.Load(ModelWith(PublishedTemplate("Mistral-7B-Instruct-v0.2")))!;
        var result = Apply(PromptTemplates.Chat(chatTemplate: chat),
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}, {\"role\": \"user\", \"content\": \"Bye\"}, {\"role\": \"assistant\", \"content\": \"Bye!\"}]}");
        Assert.Equal(new PromptResponse("[INST] Hi [/INST]Hello!</s>[INST] Bye [/INST]", "Bye!"), result);
        Assert.Empty(chat.MarkersNotInVocabulary); // <s> and </s> are tokens of the tiny tokenizer
    }

    [Fact]
    public void ShareGptRowsAndMappedFieldNamesGoThroughTheChatTemplate()
    {
        var chat = ModelChatTemplate.Load(ModelWith(PublishedTemplate("Qwen2-7B-Instruct")))!;
        var shareGpt = Apply(PromptTemplates.Chat(chatTemplate: chat),
            "{\"conversations\": [{\"from\": \"system\", \"value\": \"Be brief.\"}, {\"from\": \"human\", \"value\": \"Hi\"}, {\"from\": \"gpt\", \"value\": \"Hello!\"}]}");
        Assert.Equal(new PromptResponse("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", "Hello!<|im_end|>\n"), shareGpt);
        var mapped = Apply(PromptTemplates.Chat(new TemplateOptions { MessagesField = "turns", RoleField = "speaker", ContentField = "text" }, chat),
            "{\"turns\": [{\"speaker\": \"user\", \"text\": \"Hi\"}, {\"speaker\": \"assistant\", \"text\": \"Hello!\"}]}");
        Assert.Equal("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", mapped.Prompt);
    }

    [Fact]
    public void GemmaRefusingASystemMessageIsAnErrorNamingTheRow()
    {
        var chat = ModelChatTemplate.Load(ModelWith(PublishedTemplate("gemma-2-9b-it")))!;
        var error = Assert.Throws<DatasetException>(() => Apply(PromptTemplates.Chat(chatTemplate: chat), Conversation, line: 7));
        Assert.Equal("chat.jsonl", error.File);
        Assert.Equal(7, error.Line);
        Assert.Contains("the model's chat_template from tokenizer_config.json refused this conversation: \"System role not supported\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MistralV3WithASystemMessageCannotBeSplitAndSaysWhy()
    {
        var chat = ModelChatTemplate.Load(ModelWith(PublishedTemplate("Mistral-7B-Instruct-v0.3")))!;
        var error = Assert.Throws<DatasetException>(() => Apply(PromptTemplates.Chat(chatTemplate: chat), Conversation));
        Assert.Contains("renders the turns before the last assistant reply differently once the reply follows", error.Message, StringComparison.Ordinal);
        Assert.Equal("[INST] Hi[/INST]", Apply(PromptTemplates.Chat(chatTemplate: chat),
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}").Prompt);
    }

    [Fact]
    public void TheListFormUsesTheDefaultTemplate()
    {
        var chat = ModelChatTemplate.Load(ModelWith(new object[]
        {
            new Dictionary<string, string> { ["name"] = "tool_use", ["template"] = "{{ 'tools' }}" },
            new Dictionary<string, string> { ["name"] = "default", ["template"] = "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}" },
        }))!;
        Assert.Equal(new PromptResponse("<user>Hi<assistant>", "Hello!"),
            Apply(PromptTemplates.Chat(chatTemplate: chat), "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}"));
    }

    [Fact]
    public void AListWithoutADefaultTemplateIsAnErrorListingTheNames() =>
        Assert.Contains("none is called \"default\"", Assert.Throws<TokenizerLoadException>(() =>
            ModelChatTemplate.Load(ModelWith(new object[] { new Dictionary<string, string> { ["name"] = "tool_use", ["template"] = "x" } }))).Message, StringComparison.Ordinal);

    [Fact]
    public void AnInvalidTemplateNamesTokenizerConfigAndThePositionInTheTemplate()
    {
        var error = Assert.Throws<TokenizerLoadException>(() => ModelChatTemplate.Load(ModelWith("{% for m in messages %}\n{{ m.content | shout }}{% endfor %}")));
        Assert.EndsWith("tokenizer_config.json", error.FilePath, StringComparison.Ordinal);
        Assert.Contains("chat_template, line 2, column 16: unknown filter 'shout'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARuntimeErrorInTheTemplateNamesTheRowAndTheTemplatePosition()
    {
        var chat = ModelChatTemplate.Load(ModelWith("{% for m in messages %}{{ m.content + 1 }}{% endfor %}"))!;
        var error = Assert.Throws<DatasetException>(() => Apply(PromptTemplates.Chat(chatTemplate: chat), Conversation, line: 9));
        Assert.Equal(9, error.Line);
        Assert.Contains("template line 1, column 37", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot apply '+' to a string and a integer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AChatTemplateJinjaFileIsUsedWhenTokenizerConfigHasNone()
    {
        ModelWith(null);
        File.WriteAllText(_model.File(ModelChatTemplate.JinjaFile), "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}");
        var chat = ModelChatTemplate.Load(_model.Path)!;
        Assert.Equal("chat_template from chat_template.jinja", chat.Description);
    }
}
