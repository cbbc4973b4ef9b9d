namespace GradSentry.Build.Tests;

public class CanonicalDiagnosticTests
{
    [Fact]
    public void FileLineAndColumnAreReadFromTheCanonicalForm()
    {
        var d = CanonicalDiagnostic.TryParse("/data/train.jsonl(12,1): warning GS1002: row 11 scored 0.93 > 0.71");

        Assert.NotNull(d);
        Assert.Equal("/data/train.jsonl", d.File);
        Assert.Equal(12, d.Line);
        Assert.Equal(1, d.Column);
        Assert.Equal(ReportedSeverity.Warning, d.Severity);
        Assert.Equal("GS1002", d.Code);
        Assert.Equal("row 11 scored 0.93 > 0.71", d.Message);
    }

    [Fact]
    public void ALineWithoutLocationConcernsTheWholeFile()
    {
        var d = CanonicalDiagnostic.TryParse("/models/tiny: error GS2002: config.json is missing");

        Assert.NotNull(d);
        Assert.Equal("/models/tiny", d.File);
        Assert.Equal(0, d.Line);
        Assert.Equal(0, d.Column);
        Assert.Equal(ReportedSeverity.Error, d.Severity);
        Assert.Equal("GS2002", d.Code);
    }

    [Fact]
    public void ALineWithoutOriginKeepsAnEmptyFile()
    {
        var d = CanonicalDiagnostic.TryParse("error GS1001: 3 of 20 rows flagged");

        Assert.NotNull(d);
        Assert.Equal("", d.File);
        Assert.Equal("3 of 20 rows flagged", d.Message);
    }

    [Fact]
    public void PathsWithSpacesParenthesesAndColonsInTheMessageSurvive()
    {
        var d = CanonicalDiagnostic.TryParse("/tmp/my data (v2)/train set.jsonl(7,3): error GS2001: line 7: expected ':' after a key");

        Assert.NotNull(d);
        Assert.Equal("/tmp/my data (v2)/train set.jsonl", d.File);
        Assert.Equal(7, d.Line);
        Assert.Equal(3, d.Column);
        Assert.Equal("line 7: expected ':' after a key", d.Message);
    }

    [Theory]
    [InlineData("f.jsonl(4): warning GS1002: m", 4, 0, 0, 0)]
    [InlineData("f.jsonl(4-6): warning GS1002: m", 4, 0, 6, 0)]
    [InlineData("f.jsonl(4,2-9): warning GS1002: m", 4, 2, 4, 9)]
    [InlineData("f.jsonl(4,2,5,1): warning GS1002: m", 4, 2, 5, 1)]
    public void EveryCanonicalLocationShapeIsRead(string line, int l, int c, int el, int ec)
    {
        var d = CanonicalDiagnostic.TryParse(line);

        Assert.NotNull(d);
        Assert.Equal("f.jsonl", d.File);
        Assert.Equal((l, c, el, ec), (d.Line, d.Column, d.EndLine, d.EndColumn));
    }

    [Theory]
    [InlineData("")]
    [InlineData("scanning 200 rows ... 45 rows/s")]
    [InlineData("Program.cs(3,1): error CS1002: ; expected")]
    [InlineData("warning: something without a code")]
    [InlineData("f.jsonl(1,1): error GS10011: five digits")]
    [InlineData("f.jsonl(1,1): fatal GS1001: no such severity")]
    public void LinesThatAreNotGradSentryDiagnosticsAreLeftAlone(string line) =>
        Assert.Null(CanonicalDiagnostic.TryParse(line));
}
