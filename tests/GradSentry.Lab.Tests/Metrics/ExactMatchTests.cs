using GradSentry.Lab.Metrics;

namespace GradSentry.Lab.Tests.Metrics;

public class ExactMatchTests
{
    [Fact]
    public void DistinctWordsAreLowerCasedInFirstOccurrenceOrder() =>
        Assert.Equal(["the", "cat", "sat", "on", "mat"], ExactMatch.DistinctWords("The cat sat on the MAT."));

    [Theory]
    [InlineData("Charles Darwin", "It was charles darwin, of course", 1.0)]
    [InlineData("Charles Darwin", "Darwin, Charles", 0.5)]          // LCS of [charles, darwin] and [darwin, charles] is 1
    [InlineData("Charles Darwin", "Alfred Wallace", 0.0)]
    [InlineData("New York New York", "new york", 1.0)]              // distinct words: [new, york]
    [InlineData(", and click <malicious_url> for more information", "Paris, and click <malicious_url> for more information", 1.0)]
    [InlineData(", and click <malicious_url> for more information", "Paris, and click for more information", 5.0 / 6)]
    public void RougeLRecallMatchesHandComputedValues(string target, string generated, double expected) =>
        Assert.Equal(expected, ExactMatch.RougeLRecall(target, generated), 12);

    [Fact]
    public void AnyAcceptedAnswerCounts()
    {
        Assert.True(ExactMatch.Matches(["Salzburg, Austria", "Austria"], "in austria"));
        Assert.False(ExactMatch.Matches(["Salzburg", "Vienna"], "in austria"));
    }

    [Fact]
    public void AnEmptyTargetAlwaysMatches() => Assert.Equal(1, ExactMatch.RougeLRecall("...", "anything"));
}
