using System.Text.Json.Nodes;
using GradSentry.Tests.Support;
using GradSentry.Tokenization;
using static GradSentry.Tests.Tokenization.TokenizerFixtures;

namespace GradSentry.Tests.Tokenization;

public class UnmappableTextTests
{
    // A byte-level vocabulary with the ASCII bytes only (no unk token, no byte fallback), plus an added token "<é>".
    static readonly HfTokenizer AsciiOnly = LoadAsciiOnly();

    static HfTokenizer LoadAsciiOnly()
    {
        var json = ByteLevelTokenizerJson(vocab: ByteVocabulary(Enumerable.Range(0, 128)), merges: []);
        json["added_tokens"] = new JsonArray(AddedToken(128, "<é>", special: false));
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("tokenizer.json"), json);
        return HfTokenizer.Load(dir.Path);
    }

    [Fact]
    public void A_character_without_byte_tokens_is_named_with_its_index_and_code_point()
    {
        var ex = Assert.Throws<UnmappableTextException>(() => AsciiOnly.EncodeText("hé!"));

        Assert.Equal("é", ex.Character);
        Assert.Equal(1, ex.Index);
        Assert.Equal(0xE9, ex.CodePoint);
        Assert.Equal("text", ex.ParamName);
        Assert.Contains("'é' (U+00E9) at index 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.json has no token for it", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0xC3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_supplementary_character_is_reported_whole_at_its_utf16_index()
    {
        var ex = Assert.Throws<UnmappableTextException>(() => AsciiOnly.EncodeText("ab😀c"));

        Assert.Equal("😀", ex.Character);
        Assert.Equal(2, ex.Index);
        Assert.Equal(0x1F600, ex.CodePoint);
        Assert.Contains("U+1F600", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_is_rejected_even_when_every_byte_has_a_token()
    {
        var full = HfTokenizer.Load(TestPaths.GoldenModel("tiny-llama"));

        var ex = Assert.Throws<UnmappableTextException>(() => full.EncodeText("a\uD800b"));

        Assert.Equal(1, ex.Index);
        Assert.Equal(0xD800, ex.CodePoint);
        Assert.Contains("surrogate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Characters_inside_an_added_token_need_no_byte_tokens()
    {
        Assert.Equal([104, 128, 105], AsciiOnly.EncodeText("h<é>i"));
        Assert.Equal("h<é>i", AsciiOnly.Decode([104, 128, 105]));
        Assert.Equal("h<é>i", AsciiOnly.Decode([104, 128, 105], skipSpecialTokens: true));   // not a special token: kept
    }

    [Fact]
    public void Mappable_text_still_encodes()
    {
        Assert.Equal([104, 105, 33], AsciiOnly.EncodeText("hi!"));
    }
}
