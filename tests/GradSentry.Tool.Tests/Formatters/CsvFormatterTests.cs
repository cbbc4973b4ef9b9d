using GradSentry.Tool.Formatters;

namespace GradSentry.Tool.Tests.Formatters;

public class CsvFormatterTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData(" padded", "\" padded\"")]
    public void CellsAreQuotedOnlyWhenRfc4180NeedsIt(string cell, string expected) => Assert.Equal(expected, CsvFormatter.Quote(cell));
}
