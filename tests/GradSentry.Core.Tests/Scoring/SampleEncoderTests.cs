using GradSentry.Scoring;

namespace GradSentry.Tests.Scoring;

public class SampleEncoderTests
{
    // Byte-level toy tokenizer: id = UTF-8 byte; BOS 256, EOS 257 (the golden models' scheme).
    static IReadOnlyList<int> Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();
    static SampleEncoder Encoder(bool addBos = true, int maxLength = 64) => new(Bytes, 256, 257, addBos, maxLength);

    [Fact]
    public void EncodingIsBosPromptResponseEos()
    {
        var s = Encoder().Encode(7, "Q: ", "ab");
        Assert.Equal([256, 81, 58, 32, 97, 98, 257], s.InputIds);
        Assert.Equal(4, s.PromptLength);
        Assert.Equal(3, s.AnswerTokens);
        Assert.Equal(7, s.Id);
    }

    [Fact]
    public void WithoutAddBosNoBosIsPrepended()
    {
        var s = Encoder(addBos: false).Encode(0, "Q", "a");
        Assert.Equal([81, 97, 257], s.InputIds);
        Assert.Equal(1, s.PromptLength);
    }

    [Fact]
    public void LongPromptLosesTokensFromTheLeftAndSaysSo()
    {
        var s = Encoder(maxLength: 8).Encode(0, "0123456789", "ab");
        Assert.Equal(8, s.Length);
        Assert.Equal(256, s.InputIds[0]);
        Assert.Equal(Bytes("6789ab").Append(257), s.InputIds.Skip(1));
        Assert.Equal(6, s.PromptTokensDropped);
        Assert.Equal(3, s.AnswerTokens);
    }

    [Fact]
    public void ResponseThatCannotFitIsAnErrorNotATruncation()
    {
        var error = Assert.Throws<SampleEncodingException>(() => Encoder(maxLength: 8).Encode(0, "q", "0123456789"));
        Assert.Contains("max", error.Message);
    }

    [Fact]
    public void EmptyResponseIsAnError() => Assert.Throws<SampleEncodingException>(() => Encoder().Encode(0, "q", ""));

    [Fact]
    public void EmptyPromptWithoutBosIsAnError() => Assert.Throws<SampleEncodingException>(() => Encoder(addBos: false).Encode(0, "", "a"));

    [Fact]
    public void EmptyPromptWithBosIsScoredFromBos()
    {
        var s = Encoder().Encode(0, "", "a");
        Assert.Equal([256, 97, 257], s.InputIds);
        Assert.Equal(1, s.PromptLength);
    }

    [Fact]
    public void TokenizerRefusalBecomesAnEncodingError()
    {
        var encoder = new SampleEncoder(t => t.Contains('\u0007') ? throw new ArgumentException("cannot map U+0007 at index 1") : Bytes(t), 256, 257, true, 64);
        var error = Assert.Throws<SampleEncodingException>(() => encoder.Encode(0, "a\u0007", "b"));
        Assert.Contains("U+0007", error.Message);
    }
}
