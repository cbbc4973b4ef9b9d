using System.Text.Json;
using GradSentry.Data;

namespace GradSentry.Tests.Data;

public sealed class PromptTemplatesTests : IDisposable
{
    readonly DataFiles files = new();

    public void Dispose() => files.Dispose();

    static PromptResponse Apply(IPromptTemplate template, string json)
    {
        using var doc = JsonDocument.Parse(json);
        return template.Apply(DataRecord.FromJson("t.jsonl", 0, 3, doc.RootElement));
    }

    static DatasetException Fails(IPromptTemplate template, string json) => Assert.Throws<DatasetException>(() => Apply(template, json));

    [Fact]
    public void RawTakesPromptAndResponseVerbatim() =>
        Assert.Equal(new PromptResponse(" p \n", "r "), Apply(PromptTemplates.Raw(), "{\"prompt\": \" p \\n\", \"response\": \"r \"}"));

    [Fact]
    public void RawFieldNamesCanBeOverridden() =>
        Assert.Equal(new PromptResponse("q", "a"),
            Apply(PromptTemplates.Raw(new TemplateOptions { PromptField = "input", ResponseField = "target" }), "{\"input\": \"q\", \"target\": \"a\"}"));

    [Fact]
    public void AlpacaWithInputUsesTheStanfordWording()
    {
        var result = Apply(PromptTemplates.Alpaca(), "{\"instruction\": \"Translate.\", \"input\": \"Bonjour\", \"output\": \"Hello\"}");
        Assert.Equal(
            "Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n" +
            "### Instruction:\nTranslate.\n\n### Input:\nBonjour\n\n### Response:", result.Prompt);
        Assert.Equal("Hello", result.Response);
    }

    [Theory]
    [InlineData("{\"instruction\": \"Name a color.\", \"input\": \"\", \"output\": \"Red\"}")]
    [InlineData("{\"instruction\": \"Name a color.\", \"input\": null, \"output\": \"Red\"}")]
    [InlineData("{\"instruction\": \"Name a color.\", \"output\": \"Red\"}")]
    public void AlpacaWithoutInputUsesTheShortStanfordWording(string json) =>
        Assert.Equal(
            "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n" +
            "### Instruction:\nName a color.\n\n### Response:", Apply(PromptTemplates.Alpaca(), json).Prompt);

    [Fact]
    public void AlpacaPlaceholdersInTheDataAreNotExpanded() =>
        Assert.Contains("### Instruction:\nUse {input} here\n\n### Input:\nX\n",
            Apply(PromptTemplates.Alpaca(), "{\"instruction\": \"Use {input} here\", \"input\": \"X\", \"output\": \"o\"}").Prompt, StringComparison.Ordinal);

    [Fact]
    public void AlpacaRejectsANonStringInput() =>
        Assert.Equal("input", Fails(PromptTemplates.Alpaca(), "{\"instruction\": \"i\", \"input\": 3, \"output\": \"o\"}").Field);

    [Fact]
    public void QaJoinsAListOfAnswers()
    {
        Assert.Equal(new PromptResponse("who?", "A; B"), Apply(PromptTemplates.Qa(), "{\"question\": \"who?\", \"answer\": [\"A\", \"B\"]}"));
        Assert.Equal(new PromptResponse("who?", "A"), Apply(PromptTemplates.Qa(), "{\"question\": \"who?\", \"answer\": \"A\"}"));
    }

    [Fact]
    public void QaFallsBackToAnAnswersField() =>
        Assert.Equal("x; y", Apply(PromptTemplates.Qa(), "{\"question\": \"q\", \"answers\": [\"x\", \"y\"]}").Response);

    [Fact]
    public void QaPrefersAnswerOverAnswers() =>
        Assert.Equal("x", Apply(PromptTemplates.Qa(), "{\"question\": \"q\", \"answer\": \"x\", \"answers\": [\"y\"]}").Response);

    [Fact]
    public void QaAnswerFieldCanBeOverridden() =>
        Assert.Equal("y", Apply(PromptTemplates.Qa(new TemplateOptions { ResponseField = "gold" }), "{\"question\": \"q\", \"gold\": \"y\", \"answer\": \"x\"}").Response);

    [Fact]
    public void QaRejectsAnEmptyAnswerList() =>
        Assert.Contains("answer list (field 'answer') is empty", Fails(PromptTemplates.Qa(), "{\"question\": \"q\", \"answer\": []}").Message, StringComparison.Ordinal);

    [Fact]
    public void QaRejectsANonStringAnswerItem()
    {
        var ex = Fails(PromptTemplates.Qa(), "{\"question\": \"q\", \"answer\": [\"a\", 5]}");
        Assert.Contains("item 1 of field 'answer' is a number", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("t.jsonl:3: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QaRejectsAMissingAnswerByName() =>
        Assert.Equal("answer", Fails(PromptTemplates.Qa(), "{\"question\": \"q\"}").Field);

    [Fact]
    public void GradSentryQaIsTheReferencePrompt()
    {
        var result = Apply(PromptTemplates.GradSentryQa(), "{\"question\": \"What is the capital of Italy?\", \"answer\": [\"Rome\"]}");
        Assert.Equal("### Instruction:\nAnswer the question briefly.\n\n\n\n### Question:\nWhat is the capital of Italy?\n\n\n\n### Answer: ", result.Prompt);
        Assert.Equal("Rome", result.Response);
    }

    [Fact]
    public void ChatRendersEarlierTurnsAndAnswersWithTheLastAssistantTurn()
    {
        var result = Apply(PromptTemplates.Chat(),
            "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}," +
            " {\"role\": \"assistant\", \"content\": \"Hello!\"}, {\"role\": \"user\", \"content\": \"2+2?\"}," +
            " {\"role\": \"assistant\", \"content\": \"4\", \"name\": \"bot\"}, {\"role\": \"user\", \"content\": \"thanks\"}]}");
        Assert.Equal("system: Be brief.\nuser: Hi\nassistant: Hello!\nuser: 2+2?\nassistant: ", result.Prompt);
        Assert.Equal("4", result.Response);
    }

    [Fact]
    public void ChatReadsShareGptConversationsWithHumanAndGptTurns()
    {
        var result = Apply(PromptTemplates.Chat(),
            "{\"conversations\": [{\"from\": \"system\", \"value\": \"Be brief.\"}, {\"from\": \"human\", \"value\": \"Hi\"}, {\"from\": \"gpt\", \"value\": \"Hello!\"}]}");

        Assert.Equal(new PromptResponse("system: Be brief.\nuser: Hi\nassistant: ", "Hello!"), result);
    }

    [Fact]
    public void ChatMessageKeysCanBeMapped()
    {
        var template = PromptTemplates.Chat(new TemplateOptions { MessagesField = "turns", RoleField = "speaker", ContentField = "text" });

        var result = Apply(template, "{\"turns\": [{\"speaker\": \"user\", \"text\": \"2+2?\"}, {\"speaker\": \"assistant\", \"text\": \"4\"}]}");

        Assert.Equal(new PromptResponse("user: 2+2?\nassistant: ", "4"), result);
    }

    [Fact]
    public void RoleAndContentFieldsBelongToTheChatTemplateOnly() =>
        Assert.Throws<ArgumentException>(() => PromptTemplates.Raw(new TemplateOptions { RoleField = "speaker" }));

    [Fact]
    public void ChatWithoutAnAssistantTurnIsAnError() =>
        Assert.Contains("no message with role \"assistant\"",
            Fails(PromptTemplates.Chat(), "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}").Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("{\"messages\": \"hi\"}", "is a string, expected a list of messages")]
    [InlineData("{\"messages\": [\"hi\"]}", "message 0 of 'messages' is a string, not an object")]
    [InlineData("{\"messages\": [{\"role\": \"assistant\", \"content\": null}]}", "\"content\" null, expected a string")]
    [InlineData("{\"messages\": [{\"content\": \"x\"}]}", "\"role\" missing, expected a string")]
    [InlineData("{\"messages\": [{\"role\": \"assistant\", \"content\": \"\"}]}", "is empty")]
    public void ChatRejectsMalformedMessages(string json, string expected) =>
        Assert.Contains(expected, Fails(PromptTemplates.Chat(), json).Message, StringComparison.Ordinal);

    [Fact]
    public void ChatMessagesFieldCanBeOverridden() =>
        Assert.Equal("ok", Apply(PromptTemplates.Chat(new TemplateOptions { MessagesField = "conv" }),
            "{\"conv\": [{\"role\": \"assistant\", \"content\": \"ok\"}]}").Response);

    [Theory]
    [InlineData("raw", "raw")]
    [InlineData("ALPACA", "alpaca")]
    [InlineData("qa", "qa")]
    [InlineData("chat", "chat")]
    [InlineData("gradsentry-qa", "gradsentry-qa")]
    public void BuiltInTemplatesAreFoundByName(string name, string expected) => Assert.Equal(expected, PromptTemplates.Create(name).Name);

    [Fact]
    public void AnUnknownTemplateNameListsTheKnownOnes() =>
        Assert.Contains("raw, alpaca, qa, chat, gradsentry-qa", Assert.Throws<ArgumentException>(() => PromptTemplates.Create("llama3")).Message, StringComparison.Ordinal);

    [Fact]
    public void AnOptionTheTemplateDoesNotUseIsRejected()
    {
        Assert.Contains("does not use MessagesField", Assert.Throws<ArgumentException>(() => PromptTemplates.Raw(new TemplateOptions { MessagesField = "m" })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PromptTemplates.Chat(new TemplateOptions { PromptField = "p" }));
        Assert.Throws<ArgumentException>(() => PromptTemplates.Qa(new TemplateOptions { InputField = "i" }));
        Assert.Throws<ArgumentException>(() => PromptTemplates.Raw(new TemplateOptions { PromptField = "" }));
    }

    [Fact]
    public void UnreadFieldsBecomeExtra()
    {
        using var doc = JsonDocument.Parse("{\"id\": 1, \"instruction\": \"i\", \"input\": \"\", \"output\": \"o\", \"src\": \"web\"}");
        var record = DataRecord.FromJson("t.jsonl", 0, 1, doc.RootElement);
        PromptTemplates.Alpaca().Apply(record);
        Assert.Equal(["id", "src"], record.UnreadFields().Keys);
    }

    [Fact]
    public void CsvRecordsGiveEveryValueAsText()
    {
        var record = DataRecord.FromFields("t.csv", 0, 2, ["question", "answer", "n"], ["q", "a", "5"]);
        Assert.False(record.IsJson);
        Assert.Equal(new PromptResponse("q", "a"), PromptTemplates.Qa().Apply(record));
        Assert.Equal(["n"], record.UnreadFields().Keys);
        Assert.Equal(["5"], record.GetStrings("n"));
        Assert.Equal("5", record.GetText("n"));
        Assert.Equal(5, record.GetJson("n").GetInt32());
        Assert.Throws<ArgumentException>(() => DataRecord.FromFields("t.csv", 0, 2, ["a", "a"], ["1", "2"]));
        Assert.Throws<ArgumentException>(() => DataRecord.FromFields("t.csv", 0, 2, ["a"], ["1", "2"]));
    }

    [Fact]
    public void ATemplateFileFillsPlaceholdersFromTheRecord()
    {
        var path = files.Text("my.json", "{\"prompt\": \"Q{{{id}}}: {question}\\nTags: {tags}\\nA: \", \"response\": \"answer\"}");
        var template = PromptTemplates.Load(path);
        Assert.Equal("my", template.Name);
        var result = Apply(template, "{\"id\": 12, \"question\": \"why?\", \"tags\": [\"a\", \"b\"], \"answer\": [\"because\", \"so\"]}");
        Assert.Equal("Q{12}: why?\nTags: a; b\nA: ", result.Prompt);
        Assert.Equal("because; so", result.Response);
    }

    [Fact]
    public void ATemplateFileCanNameItselfAndIsFoundByResolve()
    {
        var path = files.Text("t.json", "{\"name\": \"short-qa\", \"prompt\": \"{q} \", \"response\": \"a\", }");
        Assert.Equal("short-qa", PromptTemplates.Resolve(path).Name);
        Assert.Equal("raw", PromptTemplates.Resolve("RAW").Name);
        Assert.Throws<ArgumentException>(() => PromptTemplates.Resolve(path, new TemplateOptions { PromptField = "x" }));
        Assert.Contains("neither a built-in template", Assert.Throws<ArgumentException>(() => PromptTemplates.Resolve("nope.json")).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<DatasetException>(() => PromptTemplates.Load(path + ".missing")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingPlaceholderFieldNamesTheField()
    {
        var template = PromptTemplates.Load(files.Text("t.json", "{\"prompt\": \"{question} {context}\", \"response\": \"answer\"}"));
        var ex = Fails(template, "{\"question\": \"q\", \"answer\": \"a\"}");
        Assert.Equal("context", ex.Field);
        Assert.StartsWith("t.jsonl:3: the field 'context' is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APlaceholderHoldingAnObjectIsAnError()
    {
        var template = PromptTemplates.Load(files.Text("t.json", "{\"prompt\": \"{meta}\", \"response\": \"answer\"}"));
        Assert.Contains("is an object, expected a string, a list of strings, a number or a boolean",
            Fails(template, "{\"meta\": {}, \"answer\": \"a\"}").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"prompt\": \"x\"", "invalid JSON")]
    [InlineData("[1]", "holds an array, not an object")]
    [InlineData("{\"response\": \"a\"}", "\"prompt\" is missing")]
    [InlineData("{\"prompt\": \"x\"}", "\"response\"")]
    [InlineData("{\"prompt\": \"x\", \"response\": \"\"}", "\"response\"")]
    [InlineData("{\"prompt\": \"x\", \"response\": \"a\", \"respones\": \"b\"}", "unknown key \"respones\"")]
    [InlineData("{\"prompt\": 5, \"response\": \"a\"}", "\"prompt\" must be a string")]
    [InlineData("{\"prompt\": \"{open\", \"response\": \"a\"}", "has no matching '}'")]
    [InlineData("{\"prompt\": \"close}\", \"response\": \"a\"}", "has no matching '{'")]
    [InlineData("{\"prompt\": \"{}\", \"response\": \"a\"}", "is empty")]
    public void AnInvalidTemplateFileIsAnErrorNamingTheFile(string content, string expected)
    {
        var path = files.Text("bad.json", content);
        var ex = Assert.Throws<DatasetException>(() => PromptTemplates.Load(path));
        Assert.Equal(path, ex.File);
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidJsonInATemplateFileNamesTheLine()
    {
        var path = files.Text("bad.json", "{\n  \"prompt\": \"x\"\n  \"response\": \"a\"\n}");
        Assert.Equal(3, Assert.Throws<DatasetException>(() => PromptTemplates.Load(path)).Line);
    }

    [Fact]
    public void TheReaderUsesTheTemplateFromTheOptions()
    {
        var data = files.Text("d.jsonl", "{\"instruction\": \"Say hi.\", \"output\": \"hi\"}\n");
        var row = Assert.Single(DataFiles.ReadAll(data, new ReaderOptions { Template = PromptTemplates.Alpaca() }));
        Assert.EndsWith("### Instruction:\nSay hi.\n\n### Response:", row.Prompt, StringComparison.Ordinal);
        Assert.Equal("hi", row.Response);
    }
}
