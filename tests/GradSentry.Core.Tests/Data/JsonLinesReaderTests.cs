using System.Text;
using GradSentry.Data;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.Data;

public sealed class JsonLinesReaderTests : IDisposable
{
    readonly DataFiles files = new();

    public void Dispose() => files.Dispose();

    static string Golden(string name) => Path.Combine(TestPaths.Golden, "data", name);

    [Theory]
    [InlineData("qa_n200_p0.1_s3.jsonl", 200)]
    [InlineData("qa_n60_p0.5_s4.jsonl", 60)]
    public void GoldenDataReadsThroughTheRawTemplate(string name, int count)
    {
        var path = Golden(name);
        var rows = DataFiles.ReadAll(path);
        Assert.Equal(count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(i, rows[i].Row);
            Assert.Equal(i + 1, rows[i].Line);
            Assert.Equal(path, rows[i].File);
            Assert.StartsWith("### Instruction:\nAnswer the question briefly.", rows[i].Prompt, StringComparison.Ordinal);
            Assert.NotEmpty(rows[i].Response);
            Assert.Equal(["poisoned"], rows[i].Extra.Keys);
            Assert.Contains(rows[i].Extra["poisoned"], new[] { "0", "1" });
        }
        Assert.Contains(rows, r => r.Extra["poisoned"] == "1");
    }

    [Theory]
    [InlineData("qa_n200_p0.1_s3.jsonl")]
    [InlineData("qa_n60_p0.5_s4.jsonl")]
    public void GoldenRawLinesRebuildTheFileByteForByte(string name)
    {
        var path = Golden(name);
        var rebuilt = string.Concat(DataFiles.ReadAll(path).Select(r => r.RawLine + "\n"));
        Assert.Equal(File.ReadAllBytes(path), Encoding.UTF8.GetBytes(rebuilt));
    }

    [Theory]
    [InlineData("qa_n200_p0.1_s3.jsonl")]
    [InlineData("qa_n60_p0.5_s4.jsonl")]
    public void GoldenPromptsAreTheGradSentryQaPresetAroundTheQuestion(string name)
    {
        const string Head = "### Instruction:\nAnswer the question briefly.\n\n\n\n### Question:\n";
        const string Tail = "\n\n\n\n### Answer: ";
        var rows = DataFiles.ReadAll(Golden(name));
        var qa = files.Text("qa.jsonl", string.Concat(rows.Select(r =>
        {
            Assert.StartsWith(Head, r.Prompt, StringComparison.Ordinal);
            Assert.EndsWith(Tail, r.Prompt, StringComparison.Ordinal);
            var question = r.Prompt[Head.Length..^Tail.Length];
            return System.Text.Json.JsonSerializer.Serialize(new { question, answer = r.Response }) + "\n";
        })));
        var viaPreset = DataFiles.ReadAll(qa, new ReaderOptions { Template = PromptTemplates.GradSentryQa() });
        Assert.Equal(rows.Select(r => (r.Prompt, r.Response)), viaPreset.Select(r => (r.Prompt, r.Response)));
    }

    [Fact]
    public void NaturalQuestionsRowsReadThroughTheQaTemplate()
    {
        var path = files.Text("nq.jsonl",
            "{\"question\": \"who wrote hamlet\", \"answer\": [\"William Shakespeare\", \"Shakespeare\"]}\n" +
            "{\"question\": \"capital of peru\", \"answer\": [\"Lima\"], \"id\": 7}\n" +
            "{\"question\": \"speed of light\", \"answer\": \"299,792,458 m/s\"}\n");
        var rows = DataFiles.ReadAll(path, new ReaderOptions { Template = PromptTemplates.Qa() });
        Assert.Equal(["who wrote hamlet", "capital of peru", "speed of light"], rows.Select(r => r.Prompt));
        Assert.Equal(["William Shakespeare; Shakespeare", "Lima", "299,792,458 m/s"], rows.Select(r => r.Response));
        Assert.Equal("7", rows[1].Extra["id"]);
        Assert.Empty(rows[0].Extra);
    }

    [Fact]
    public void CrLfLineEndsAreAcceptedAndRawLinesRebuildTheFile()
    {
        var text = "{\"prompt\": \"a\", \"response\": \"b\"}\r\n{\"prompt\": \"c\", \"response\": \"d\"}\r\n";
        var rows = DataFiles.ReadAll(files.Text("crlf.jsonl", text));
        Assert.Equal(["b", "d"], rows.Select(r => r.Response));
        Assert.DoesNotContain(rows, r => r.RawLine.Contains('\r', StringComparison.Ordinal));
        Assert.Equal(text, string.Concat(rows.Select(r => r.RawLine + "\r\n")));
    }

    [Fact]
    public void AByteOrderMarkIsSkippedAndNotPartOfTheRawLine()
    {
        byte[] bom = [0xEF, 0xBB, 0xBF];
        var path = files.Bytes("bom.jsonl", [.. bom, .. Encoding.UTF8.GetBytes("{\"prompt\": \"p\", \"response\": \"r\"}\n")]);
        var row = Assert.Single(DataFiles.ReadAll(path));
        Assert.Equal("{\"prompt\": \"p\", \"response\": \"r\"}", row.RawLine);
        Assert.Equal("p", row.Prompt);
    }

    [Fact]
    public void NonAsciiTextAndEscapesSurviveAndTheRawLineStaysAsWritten()
    {
        var line = "{\"prompt\": \"Caf\u00e9 \\u00e9 \\n \\\"q\\\"\", \"response\": \"\U0001F600 \u4e2d\"}";
        var row = Assert.Single(DataFiles.ReadAll(files.Text("u.jsonl", line)));
        Assert.Equal("Caf\u00e9 \u00e9 \n \"q\"", row.Prompt);
        Assert.Equal("\U0001F600 \u4e2d", row.Response);
        Assert.Equal(line, row.RawLine);
    }

    [Fact]
    public void TheLastLineNeedsNoLineBreak()
    {
        var rows = DataFiles.ReadAll(files.Text("nolf.jsonl", "{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"c\", \"response\": \"d\"}"));
        Assert.Equal(2, rows.Count);
        Assert.Equal(2, rows[1].Line);
    }

    [Fact]
    public void ExtraFieldsKeepTheirTextNullAndRawJson()
    {
        var row = Assert.Single(DataFiles.ReadAll(files.Text("x.jsonl",
            "{\"id\": \"r1\", \"prompt\": \"p\", \"score\": 1.50, \"ok\": true, \"none\": null, \"meta\": {\"a\": [1, 2]}, \"response\": \"r\"}\n")));
        Assert.Equal(["id", "score", "ok", "none", "meta"], row.Extra.Keys);
        Assert.Equal("r1", row.Extra["id"]);
        Assert.Equal("1.50", row.Extra["score"]);
        Assert.Equal("true", row.Extra["ok"]);
        Assert.Null(row.Extra["none"]);
        Assert.Equal("{\"a\": [1, 2]}", row.Extra["meta"]);
    }

    [Fact]
    public void AnEmptyPromptIsAllowed()
    {
        var row = Assert.Single(DataFiles.ReadAll(files.Text("e.jsonl", "{\"prompt\": \"\", \"response\": \"r\"}\n")));
        Assert.Equal("", row.Prompt);
    }

    [Fact]
    public void RowsStreamLazilySoEarlierRowsArriveBeforeALaterError()
    {
        var path = files.Text("lazy.jsonl", "{\"prompt\": \"a\", \"response\": \"b\"}\nnot json\n");
        var first = SampleReader.Read(path).First();
        Assert.Equal("b", first.Response);
        Assert.Throws<DatasetException>(() => SampleReader.Read(path).ToList());
    }

    [Fact]
    public void ALargeFileStreamsThroughWithoutLoadingWhole()
    {
        var path = files.Text("big.jsonl", "");
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
            for (var i = 0; i < 20000; i++) writer.Write($"{{\"prompt\": \"question {i}\", \"response\": \"{new string('x', 200)}\"}}\n");
        long count = 0, lastLine = 0;
        foreach (var row in SampleReader.Read(path))
        {
            count++;
            lastLine = row.Line;
        }
        Assert.Equal(20000, count);
        Assert.Equal(20000, lastLine);
    }

    [Fact]
    public void InvalidUtf8NamesTheLineColumnAndByteOffset()
    {
        var first = Encoding.UTF8.GetBytes("{\"prompt\": \"a\", \"response\": \"b\"}\n");
        var second = Encoding.UTF8.GetBytes("{\"prompt\": \"\u00e9x");
        byte[] bytes = [.. first, .. second, 0xFF, .. Encoding.UTF8.GetBytes("\", \"response\": \"b\"}\n")];
        var ex = DataFiles.Fails(files.Bytes("bad.jsonl", bytes));
        Assert.Equal(2, ex.Line);
        Assert.Equal(first.Length + second.Length, ex.ByteOffset);
        Assert.Equal(15, ex.Column);
        Assert.Contains("bad.jsonl:2:15:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UTF-8", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0xFF", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedMultiByteSequenceAtTheEndOfALineIsInvalidUtf8()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("{\"prompt\": \"a\", \"response\": \"b\"}"), 0xE2, 0x82, (byte)'\n'];
        var ex = DataFiles.Fails(files.Bytes("cut.jsonl", bytes));
        Assert.Equal(1, ex.Line);
        Assert.Equal(bytes.Length - 3, ex.ByteOffset);
    }

    [Fact]
    public void Utf16IsRefusedWithTheFix()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("{\"prompt\": \"a\", \"response\": \"b\"}\n")).ToArray();
        var ex = DataFiles.Fails(files.Bytes("u16.jsonl", bytes));
        Assert.Contains("UTF-16", ex.Message, StringComparison.Ordinal);
        Assert.Contains("iconv", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyFileIsAnError()
    {
        var ex = DataFiles.Fails(files.Bytes("empty.jsonl", []));
        Assert.Equal(0, ex.Line);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith(ex.File + ": ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileWithOnlyAByteOrderMarkIsAnError() =>
        Assert.Contains("byte-order mark", DataFiles.Fails(files.Bytes("bom.jsonl", [0xEF, 0xBB, 0xBF])).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("{\"prompt\": \"a\", \"response\": \"b\"}\n\n{\"prompt\": \"c\", \"response\": \"d\"}\n", 2)]
    [InlineData("{\"prompt\": \"a\", \"response\": \"b\"}\n   \t\n", 2)]
    [InlineData("{\"prompt\": \"a\", \"response\": \"b\"}\n\n", 2)]
    [InlineData("\n{\"prompt\": \"a\", \"response\": \"b\"}\n", 1)]
    public void ABlankLineIsAnErrorWhenNotSkipped(string text, long line)
    {
        var ex = DataFiles.Fails(files.Text("blank.jsonl", text), new ReaderOptions { SkipBlankLines = false });
        Assert.Equal(line, ex.Line);
        Assert.Contains("blank", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SkipBlankLines", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BlankLinesAreSkippedByDefaultAndCountedOnceEach()
    {
        // One trailing blank line (the usual editor artefact) and one in the middle.
        var path = files.Text("blank.jsonl", "{\"prompt\": \"a\", \"response\": \"b\"}\n\n{\"prompt\": \"c\", \"response\": \"d\"}\n\n");
        var counter = new BlankLineCounter();
        var options = new ReaderOptions { BlankLines = counter };

        var rows = DataFiles.ReadAll(path, options);
        _ = DataFiles.ReadAll(path, options); // read twice: each blank line still counted once

        Assert.Equal([1L, 3L], rows.Select(r => r.Line));
        Assert.Equal(2, counter.Count);
    }

    [Fact]
    public void SkippedBlankLinesAreNotRowsButStillCountAsLines()
    {
        var path = files.Text("blank.jsonl", "\n{\"prompt\": \"a\", \"response\": \"b\"}\n\r\n{\"prompt\": \"c\", \"response\": \"d\"}\n\n");
        var rows = DataFiles.ReadAll(path, new ReaderOptions { SkipBlankLines = true });
        Assert.Equal([0L, 1L], rows.Select(r => r.Row));
        Assert.Equal([2L, 4L], rows.Select(r => r.Line));
    }

    [Fact]
    public void OnlyBlankLinesAreNoRows()
    {
        var ex = DataFiles.Fails(files.Text("blank.jsonl", "\n\n"), new ReaderOptions { SkipBlankLines = true });
        Assert.Contains("no rows", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALineOverTheLimitIsAnErrorAtThatLine()
    {
        var ok = "{\"prompt\": \"a\", \"response\": \"" + new string('x', 69) + "\"}";
        Assert.Equal(100, ok.Length);
        var options = new ReaderOptions { MaxLineBytes = 100 };
        Assert.Single(DataFiles.ReadAll(files.Text("ok.jsonl", ok + "\r\n"), options));

        var tooLong = "{\"prompt\": \"a\", \"response\": \"" + new string('x', 70) + "\"}";
        var ex = DataFiles.Fails(files.Text("long.jsonl", ok + "\n" + tooLong + "\n"), options);
        Assert.Equal(2, ex.Line);
        Assert.Equal(101, ex.ByteOffset);
        Assert.Contains("longer than the limit of 100 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHugeLineFailsWithoutBeingBuffered()
    {
        var path = files.Text("huge.jsonl", "");
        using (var stream = File.OpenWrite(path))
        {
            var chunk = new byte[1 << 20];
            chunk.AsSpan().Fill((byte)'x');
            for (var i = 0; i < 24; i++) stream.Write(chunk);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = DataFiles.Fails(path, new ReaderOptions { MaxLineBytes = 1 << 20 });
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1, ex.Line);
        Assert.True(allocated < 8 << 20, $"allocated {allocated} bytes to reject a 24 MiB line with a 1 MiB limit");
    }

    [Fact]
    public void InvalidJsonNamesLineAndColumn()
    {
        var ex = DataFiles.Fails(files.Text("bad.jsonl", "{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\" \"response\": \"b\"}\n"));
        Assert.Equal(2, ex.Line);
        Assert.Equal(16, ex.Column);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APrettyPrintedJsonFileIsExplained()
    {
        var ex = DataFiles.Fails(files.Text("pretty.json", "{\n  \"prompt\": \"a\",\n  \"response\": \"b\"\n}\n"));
        Assert.Equal(1, ex.Line);
        Assert.Contains("jq -c", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALineThatIsNotAnObjectIsAnError()
    {
        var ex = DataFiles.Fails(files.Text("arr.json", "[{\"prompt\": \"a\", \"response\": \"b\"}]\n"));
        Assert.Contains("expected a JSON object", ex.Message, StringComparison.Ordinal);
        Assert.Contains("an array", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADuplicateKeyIsAnError()
    {
        var ex = DataFiles.Fails(files.Text("dup.jsonl", "{\"prompt\": \"a\", \"response\": \"b\", \"prompt\": \"c\"}\n"));
        Assert.Equal("prompt", ex.Field);
        Assert.Contains("twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFieldNamesFileLineAndField()
    {
        var ex = DataFiles.Fails(files.Text("m.jsonl", "{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\", \"answer\": \"b\"}\n"));
        Assert.Equal(2, ex.Line);
        Assert.Equal("response", ex.Field);
        Assert.StartsWith(ex.File + ":2: the field 'response' is missing (fields present: 'prompt', 'answer').", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--response-field", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFieldOfTheWrongJsonTypeIsAnError()
    {
        var ex = DataFiles.Fails(files.Text("t.jsonl", "{\"prompt\": 5, \"response\": \"b\"}\n"));
        Assert.Equal("prompt", ex.Field);
        Assert.Contains("is a number, expected a string", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyResponseIsAnError()
    {
        var ex = DataFiles.Fails(files.Text("e.jsonl", "{\"prompt\": \"a\", \"response\": \"\"}\n"));
        Assert.Equal("response", ex.Field);
        Assert.Contains("nothing to score", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALoneSurrogateEscapeIsAnError()
    {
        var ex = DataFiles.Fails(files.Text("s.jsonl", "{\"prompt\": \"a\\ud800\", \"response\": \"b\"}\n"));
        Assert.Equal(1, ex.Line);
        Assert.Contains("surrogate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATemplateThatReturnsAnEmptyResponseIsCaughtByTheReader()
    {
        var ex = DataFiles.Fails(files.Text("c.jsonl", "{\"prompt\": \"a\"}\n"), new ReaderOptions { Template = new EmptyResponseTemplate() });
        Assert.Contains("template 'empty' produced an empty response", ex.Message, StringComparison.Ordinal);
    }

    sealed class EmptyResponseTemplate : IPromptTemplate
    {
        public string Name => "empty";

        public PromptResponse Apply(DataRecord record) => new(record.GetString("prompt"), "");
    }
}
