using System.Text;
using GradSentry.Data;

namespace GradSentry.Tests.Data;

public sealed class CsvReaderTests : IDisposable
{
    readonly DataFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void AHeaderedCsvGivesRowsAndExtraColumns()
    {
        var rows = DataFiles.ReadAll(files.Text("a.csv", "prompt,response,poisoned\nWhat is 2+2?,4,0\nhi,there,1\n"));
        Assert.Equal(["What is 2+2?", "hi"], rows.Select(r => r.Prompt));
        Assert.Equal(["4", "there"], rows.Select(r => r.Response));
        Assert.Equal(["0", "1"], rows.Select(r => r.Extra["poisoned"]));
        Assert.Equal([0L, 1L], rows.Select(r => r.Row));
        Assert.Equal([2L, 3L], rows.Select(r => r.Line));
        Assert.Equal("hi,there,1", rows[1].RawLine);
    }

    [Fact]
    public void QuotedFieldsHoldDelimitersQuotesAndLineBreaks()
    {
        var text = "prompt,response\n" +
                   "\"a, b\",\"say \"\"hi\"\"\"\n" +
                   "\"line one\nline two\r\nline three\",x\n" +
                   "after,y\n";
        var rows = DataFiles.ReadAll(files.Text("q.csv", text));
        Assert.Equal("a, b", rows[0].Prompt);
        Assert.Equal("say \"hi\"", rows[0].Response);
        Assert.Equal("line one\nline two\r\nline three", rows[1].Prompt);
        Assert.Equal([2L, 3L, 6L], rows.Select(r => r.Line));
        Assert.Equal([0L, 1L, 2L], rows.Select(r => r.Row));
        Assert.Equal("\"line one\nline two\r\nline three\",x", rows[1].RawLine);
    }

    [Fact]
    public void RawLinesAfterTheHeaderRebuildTheFileByteForByte()
    {
        var text = "prompt,response\r\n\"multi\r\nline\",\"\u00e9\"\"\"\r\nplain,\U0001F600\r\n";
        var rows = DataFiles.ReadAll(files.Text("r.csv", text));
        Assert.Equal(Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes("prompt,response\r\n" + string.Concat(rows.Select(r => r.RawLine + "\r\n"))));
    }

    [Fact]
    public void EmptyAndTrailingFieldsAreEmptyStrings()
    {
        var rows = DataFiles.ReadAll(files.Text("e.csv", "prompt,note,response,tail\n,,r,\n\"\",\"\",r2,\"\"\n"));
        Assert.Equal(["", ""], rows.Select(r => r.Prompt));
        Assert.Equal(["", ""], rows.Select(r => r.Extra["note"]));
        Assert.Equal(["", ""], rows.Select(r => r.Extra["tail"]));
    }

    [Fact]
    public void AQuoteInsideAnUnquotedFieldIsText()
    {
        var row = Assert.Single(DataFiles.ReadAll(files.Text("b.csv", "prompt,response\na 5\" screen,ok\n")));
        Assert.Equal("a 5\" screen", row.Prompt);
    }

    [Fact]
    public void TsvSplitsOnTabsWithTheSameQuoting()
    {
        var rows = DataFiles.ReadAll(files.Text("t.tsv", "prompt\tresponse\na,b\tc\n\"x\ty\"\tz\n"));
        Assert.Equal(["a,b", "x\ty"], rows.Select(r => r.Prompt));
        Assert.Equal(["c", "z"], rows.Select(r => r.Response));
    }

    [Fact]
    public void AByteOrderMarkBeforeTheHeaderIsSkipped()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("prompt,response\na,b\n")).ToArray();
        Assert.Equal("a", Assert.Single(DataFiles.ReadAll(files.Bytes("bom.csv", bytes))).Prompt);
    }

    [Theory]
    [InlineData("prompt,response\na,b\nc,d,e\n", 3, "3 fields but the header has 2")]
    [InlineData("prompt,response\na\n", 2, "1 fields but the header has 2")]
    [InlineData("prompt,response\n\"x\ny\",b,c\n", 2, "3 fields but the header has 2")]
    public void ARaggedRowIsAnErrorAtItsFirstLine(string text, long line, string expected)
    {
        var ex = DataFiles.Fails(files.Text("rag.csv", text));
        Assert.Equal(line, ex.Line);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("quote values", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnterminatedQuoteIsAnErrorAtTheLineItOpens()
    {
        var ex = DataFiles.Fails(files.Text("u.csv", "prompt,response\na,b\n\"never closed,b\nc,d\n"));
        Assert.Equal(3, ex.Line);
        Assert.Contains("never closed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnterminatedQuoteCannotSwallowMoreThanTheLimit()
    {
        var text = "prompt,response\n\"open" + string.Concat(Enumerable.Repeat("\nrow,row", 100)) + "\n";
        var ex = DataFiles.Fails(files.Text("u.csv", text), new ReaderOptions { MaxLineBytes = 200 });
        Assert.Equal(2, ex.Line);
        Assert.Contains("longer than the limit of 200 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TextAfterAClosingQuoteIsAnErrorWithItsColumn()
    {
        var ex = DataFiles.Fails(files.Text("c.csv", "prompt,response\n\"ab\"c,d\n"));
        Assert.Equal(2, ex.Line);
        Assert.Equal(5, ex.Column);
        Assert.Contains("\"\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnnamedHeaderColumnIsAnError()
    {
        var ex = DataFiles.Fails(files.Text("h.csv", "prompt,,response\na,b,c\n"));
        Assert.Equal(1, ex.Line);
        Assert.Contains("column 2 of the header has no name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARepeatedHeaderNameIsAnError() =>
        Assert.Contains("'prompt' twice", DataFiles.Fails(files.Text("h.csv", "prompt,prompt,response\na,b,c\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void AHeaderWithoutRowsIsAnError() =>
        Assert.Contains("header but no rows", DataFiles.Fails(files.Text("h.csv", "prompt,response\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void AnEmptyCsvIsAnError() => Assert.Contains("empty", DataFiles.Fails(files.Bytes("e.csv", [])).Message, StringComparison.Ordinal);

    [Fact]
    public void ABlankLineIsAnErrorUnlessSkipped()
    {
        var path = files.Text("b.csv", "prompt,response\na,b\n\nc,d\n");
        Assert.Equal(3, DataFiles.Fails(path, new ReaderOptions { SkipBlankLines = false }).Line);
        var rows = DataFiles.ReadAll(path, new ReaderOptions { SkipBlankLines = true });
        Assert.Equal([2L, 4L], rows.Select(r => r.Line));
        Assert.Equal([0L, 1L], rows.Select(r => r.Row));
    }

    [Fact]
    public void ACsvWithoutAHeaderIsAHeaderProblemAtLineOne()
    {
        var ex = DataFiles.Fails(files.Text("nohdr.csv", "What is 2+2?,4\nName a colour,Blue\n"));

        Assert.Equal(1, ex.Line);
        Assert.Contains("the header row has no 'prompt' column (columns: 'What is 2+2?', '4'); is the header missing?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABlankLineInsideAQuotedFieldIsText()
    {
        var row = Assert.Single(DataFiles.ReadAll(files.Text("b.csv", "prompt,response\n\"a\n\nb\",c\n")));
        Assert.Equal("a\n\nb", row.Prompt);
    }

    [Fact]
    public void InvalidUtf8InACsvNamesTheLine()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("prompt,response\nab,"), 0xC3, 0x28, (byte)'\n'];
        var ex = DataFiles.Fails(files.Bytes("bad.csv", bytes));
        Assert.Equal(2, ex.Line);
        Assert.Equal(4, ex.Column);
        Assert.Equal(19, ex.ByteOffset);
    }

    [Fact]
    public void AChatCellHoldsJsonMessages()
    {
        var text = "id,messages\n7,\"[{\"\"role\"\": \"\"user\"\", \"\"content\"\": \"\"hi\"\"}, {\"\"role\"\": \"\"assistant\"\", \"\"content\"\": \"\"hello\"\"}]\"\n";
        var row = Assert.Single(DataFiles.ReadAll(files.Text("chat.csv", text), new ReaderOptions { Template = PromptTemplates.Chat() }));
        Assert.Equal("user: hi\nassistant: ", row.Prompt);
        Assert.Equal("hello", row.Response);
        Assert.Equal("7", row.Extra["id"]);
    }

    [Fact]
    public void AChatCellThatIsNotJsonIsAnError()
    {
        var ex = DataFiles.Fails(files.Text("chat.csv", "messages\nhello there\n"), new ReaderOptions { Template = PromptTemplates.Chat() });
        Assert.Equal("messages", ex.Field);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }
}
