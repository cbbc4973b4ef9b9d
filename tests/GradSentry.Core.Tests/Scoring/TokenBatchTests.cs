using GradSentry.Scoring;
using static TorchSharp.torch;

namespace GradSentry.Tests.Scoring;

public class TokenBatchTests
{
    static EncodedSample Sample(int id, int[] prompt, int answer) =>
        new(id, [.. prompt, .. Enumerable.Range(100, answer)], prompt.Length, answer);

    static int[] Template(int length, int then) => [.. Enumerable.Range(1, length), then, then + 1];

    [Fact]
    public void TheSharedPrefixIsTheCommonStartOfEveryRowBeforeItsFirstPredictingPosition()
    {
        var samples = Enumerable.Range(0, 9).Select(i => Sample(i, Template(20, 50 + 2 * i), 3)).ToList();
        using var tokens = TokenBatch.Create(samples, CPU);
        Assert.Equal(20, tokens.SharedPrefix);
    }

    [Fact]
    public void TheSharedPrefixStopsBeforeTheShortestPromptsLastToken()
    {
        // Identical prompts: the last prompt token predicts the first answer token, so it is not shared.
        var samples = Enumerable.Range(0, 9).Select(i => Sample(i, Template(20, 50), 3)).ToList();
        using var tokens = TokenBatch.Create(samples, CPU);
        Assert.Equal(21, tokens.SharedPrefix);
    }

    [Theory]
    [InlineData(1, 30)]  // one sample: nothing to share
    [InlineData(4, 20)]  // (4 − 1) · 20 = 60 token rows saved: below the minimum
    [InlineData(5, 16)]  // 4 · 16 = 64: used
    public void AShortOrLonelyPrefixIsNotShared(int count, int length)
    {
        var samples = Enumerable.Range(0, count).Select(i => Sample(i, Template(length, 50 + 2 * i), 2)).ToList();
        using var tokens = TokenBatch.Create(samples, CPU);
        Assert.Equal((count - 1) * length >= TokenBatch.MinSharedTokenRows ? length : 0, tokens.SharedPrefix);
    }
}
