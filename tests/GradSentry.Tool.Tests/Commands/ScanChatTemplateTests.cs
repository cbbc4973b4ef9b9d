using System.Text;
using System.Text.Json;
using GradSentry.Tool.Commands;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>`scan --template chat` with and without the model's chat_template, as a user runs it.</summary>
public class ScanChatTemplateTests
{
    static string TinyModel => Path.Combine(ToolProcess.RepoRoot, "samples", "models", "tiny-llama");

    const string Llama3Template =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    /// <summary>The bundled model copied into <paramref name="folder"/> with <paramref name="chatTemplate"/> in its tokenizer_config.json.</summary>
    static string ModelWithChatTemplate(TempFolder folder, string chatTemplate)
    {
        var model = folder.File("model");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(TinyModel)) File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        var config = JsonSerializer.Deserialize<Dictionary<string, object?>>(File.ReadAllText(Path.Combine(model, "tokenizer_config.json")))!;
        config["chat_template"] = chatTemplate;
        File.WriteAllText(Path.Combine(model, "tokenizer_config.json"), JsonSerializer.Serialize(config));
        return model;
    }

    /// <summary>Chat rows: a system message (every third row), the question as the user turn, the answer as the assistant turn.</summary>
    static void WriteChat(string path, int rows, bool shareGpt = false)
    {
        var text = new StringBuilder();
        for (var i = 0; i < rows; i++)
        {
            var (prompt, response, _) = TestData.Row(i);
            var turns = new List<(string Role, string Content)>();
            if (i % 3 == 0) turns.Add(("system", "Answer briefly."));
            turns.Add(("user", prompt.Replace("\nAnswer: ", "", StringComparison.Ordinal)));
            turns.Add(("assistant", response));
            object row = shareGpt
                ? new { conversations = turns.Select(t => new Dictionary<string, string> { ["from"] = t.Role switch { "user" => "human", "assistant" => "gpt", _ => t.Role }, ["value"] = t.Content }) }
                : new { messages = turns.Select(t => new Dictionary<string, string> { ["role"] = t.Role, ["content"] = t.Content }) };
            text.Append(JsonSerializer.Serialize(row)).Append('\n');
        }
        File.WriteAllText(path, text.ToString());
    }

    [Fact]
    public void ChatRowsAreRenderedWithTheModelsChatTemplateAndEveryReportSaysSo()
    {
        using var folder = new TempFolder();
        var model = ModelWithChatTemplate(folder, Llama3Template);
        WriteChat(folder.File("chat.jsonl"), 8, shareGpt: true);

        var result = ToolProcess.Run(folder.Path, "scan", "chat.jsonl", "--model", model, "--template", "chat", "--device", "cpu", "--threshold", "0.99", "--report", "reports");

        Assert.True(result.ExitCode == ExitCodes.Passed, result.ToString());
        // The demo tokenizer has no <|eot_id|> token: the user is told the markup is scored as plain text.
        Assert.Contains("warning: the chat_template from tokenizer_config.json writes <|start_header_id|>, <|end_header_id|>, <|eot_id|>, which are not tokens of this model's tokenizer", result.Stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(folder.File("reports/gradsentry.json")));
        Assert.Equal("chat_template from tokenizer_config.json", json.RootElement.GetProperty("options").GetProperty("templateSource").GetString());
        Assert.Contains(json.RootElement.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("<|eot_id|>", StringComparison.Ordinal));
        Assert.Contains("  template   chat (chat_template from tokenizer_config.json)", File.ReadAllText(folder.File("reports/gradsentry.txt")), StringComparison.Ordinal);
        Assert.Contains("chat (chat_template from tokenizer_config.json)", File.ReadAllText(folder.File("reports/gradsentry.html")), StringComparison.Ordinal);
        Assert.Contains("<|eot_id|>", File.ReadAllText(folder.File("reports/gradsentry.csv")), StringComparison.Ordinal);
    }

    [Fact]
    public void AModelWithoutAChatTemplateFallsBackToRoleContentLinesAndTheReportSaysSo()
    {
        using var folder = new TempFolder();
        WriteChat(folder.File("chat.jsonl"), 8);

        var result = ToolProcess.Run(folder.Path, "scan", "chat.jsonl", "--model", TinyModel, "--template", "chat", "--device", "cpu", "--threshold", "0.99", "--output", "r.json");

        Assert.True(result.ExitCode == ExitCodes.Passed, result.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(folder.File("r.json")));
        Assert.Equal("role: content fallback (the model has no chat_template in tokenizer_config.json)", json.RootElement.GetProperty("options").GetProperty("templateSource").GetString());
    }

    [Fact]
    public void ARowTheTemplateRefusesIsAnErrorNamingFileAndLine()
    {
        using var folder = new TempFolder();
        var model = ModelWithChatTemplate(folder, "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for m in messages %}{{ m.content }}{% endfor %}");
        WriteChat(folder.File("chat.jsonl"), 4); // row 0 has a system message

        var result = ToolProcess.Run(folder.Path, "scan", "chat.jsonl", "--model", model, "--template", "chat", "--device", "cpu");

        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("chat.jsonl(1,1): error GS2001:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("refused this conversation: \"System role not supported\"", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AChatTemplateGradSentryCannotRenderIsAModelErrorNamingTheFileAndPosition()
    {
        using var folder = new TempFolder();
        var model = ModelWithChatTemplate(folder, "{% for m in messages %}\n{{ m.content | shout }}{% endfor %}");
        WriteChat(folder.File("chat.jsonl"), 4);

        var result = ToolProcess.Run(folder.Path, "scan", "chat.jsonl", "--model", model, "--template", "chat", "--device", "cpu");

        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("error GS2002:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("tokenizer_config.json: chat_template, line 2, column 16: unknown filter 'shout'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--chat-template none", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ChatTemplateNoneScoresRoleContentLinesAndAFileReplacesTheModelsTemplate()
    {
        using var folder = new TempFolder();
        var model = ModelWithChatTemplate(folder, "{{ raise_exception('never used') }}");
        WriteChat(folder.File("chat.jsonl"), 8);
        File.WriteAllText(folder.File("mine.jinja"), "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[assistant] {% endif %}");

        var none = ToolProcess.Run(folder.Path, "scan", "chat.jsonl", "--model", model, "--template", "chat", "--chat-template", "none", "--device", "cpu", "--threshold", "0.99", "--output", "none.json");
        var file = ToolProcess.Run(folder.Path, "scan", "chat.jsonl", "--model", model, "--template", "chat", "--chat-template", "mine.jinja", "--device", "cpu", "--threshold", "0.99", "--output", "file.json");

        Assert.True(none.ExitCode == ExitCodes.Passed, none.ToString());
        Assert.True(file.ExitCode == ExitCodes.Passed, file.ToString());
        using var noneJson = JsonDocument.Parse(File.ReadAllText(folder.File("none.json")));
        using var fileJson = JsonDocument.Parse(File.ReadAllText(folder.File("file.json")));
        Assert.Equal("role: content lines (--chat-template none)", noneJson.RootElement.GetProperty("options").GetProperty("templateSource").GetString());
        Assert.Equal("chat_template from mine.jinja", fileJson.RootElement.GetProperty("options").GetProperty("templateSource").GetString());
    }

    [Fact]
    public void ChatTemplateBelongsToTheChatTemplateOnly()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 4);

        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--chat-template", "none", "--device", "cpu");

        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("--chat-template applies to --template chat only", result.Stderr, StringComparison.Ordinal);
    }
}
