using GradSentry.Thresholds;

namespace GradSentry.Tests.Thresholds;

public class ThresholdRuleTests
{
    [Theory]
    [InlineData("auto")]
    [InlineData(" AUTO ")]
    public void AutoIsTheKdeValley(string text) => Assert.IsType<KdeValleyThreshold>(ThresholdRule.Parse(text));

    [Theory]
    [InlineData("0.71", 0.71)]
    [InlineData("0", 0.0)]
    [InlineData("1", 1.0)]
    [InlineData("1e-1", 0.1)]
    [InlineData(" .5 ", 0.5)]
    public void ANumberIsAFixedThreshold(string text, double expected) =>
        Assert.Equal(expected, Assert.IsType<FixedThreshold>(ThresholdRule.Parse(text)).Value);

    [Theory]
    [InlineData("top:0.05", 0.05)]
    [InlineData("TOP:1", 1.0)]
    [InlineData("top: 0.5", 0.5)]
    public void TopColonFIsATopFraction(string text, double expected) =>
        Assert.Equal(expected, Assert.IsType<TopFractionThreshold>(ThresholdRule.Parse(text)).Fraction);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("NaN", "not a threshold")]
    [InlineData("Infinity", "not a threshold")]
    [InlineData("1e400", "not a threshold")]
    [InlineData("-0.1", "between 0 and 1")]
    [InlineData("1.5", "between 0 and 1")]
    [InlineData("0,71", "not a threshold")]
    [InlineData("garbage", "not a threshold")]
    [InlineData("kde", "not a threshold")]
    [InlineData("top:0", "greater than 0")]
    [InlineData("top:-0.5", "greater than 0")]
    [InlineData("top:1.5", "at most 1")]
    [InlineData("top:", "not a number")]
    [InlineData("top:abc", "not a number")]
    [InlineData("top:NaN", "not a number")]
    public void ImpossibleOptionsGiveAClearError(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => ThresholdRule.Parse(text));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.False(ThresholdRule.TryParse(text, out var rule, out var error));
        Assert.Null(rule);
        Assert.Equal(ex.Message, error);
    }

    [Fact]
    public void ErrorsListTheAcceptedForms()
    {
        var ex = Assert.Throws<FormatException>(() => ThresholdRule.Parse("garbage"));
        Assert.Contains("auto", ex.Message, StringComparison.Ordinal);
        Assert.Contains("top:0.05", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullIsAnEmptyThreshold() => Assert.False(ThresholdRule.TryParse(null, out _, out _));

    [Fact]
    public void ParsedRulesPrintBackAsTheyWereWritten()
    {
        Assert.Equal("0.71", ThresholdRule.Parse("0.71").ToString());
        Assert.Equal("top:0.05", ThresholdRule.Parse("top:0.05").ToString());
    }
}
