using System.Text.Json.Nodes;
using GradSentry.Tests.Support;
using GradSentry.Tokenization;
using static GradSentry.Tests.Tokenization.TokenizerFixtures;

namespace GradSentry.Tests.Tokenization;

// Fixture ids: <unk> 0, <s> 1, </s> 2, <0x00>..<0xFF> 3..258, ▁ 259, h 260, e 261, l 262, o 263, w 264, r 265, d 266,
// merges "h e" 267, "l l" 268, "he ll" 269, "▁ hell" 270, "▁hell o" 271, "▁ w" 272, "o r" 273, "▁w or" 274, "e l" 275.
public class SentencePieceStyleTokenizerJsonTests
{
    static HfTokenizer Load(JsonObject tokenizerJson, JsonObject? tokenizerConfig = null)
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("tokenizer.json"), tokenizerJson);
        if (tokenizerConfig is not null) Write(dir.File("tokenizer_config.json"), tokenizerConfig);
        return HfTokenizer.Load(dir.Path);
    }

    static readonly JsonObject LlamaConfig = new()
    {
        ["tokenizer_class"] = "LlamaTokenizerFast",
        ["bos_token"] = new JsonObject { ["__type"] = "AddedToken", ["content"] = "<s>", ["special"] = true },
        ["eos_token"] = new JsonObject { ["__type"] = "AddedToken", ["content"] = "</s>", ["special"] = true },
        ["unk_token"] = "<unk>",
        ["pad_token"] = null,
    };

    static readonly HfTokenizer Legacy = Load(SentencePieceStyleTokenizerJson(metaspace: false), LlamaConfig);
    static readonly HfTokenizer Metaspace = Load(SentencePieceStyleTokenizerJson(metaspace: true), LlamaConfig);

    public static TheoryData<string, int[]> Cases() => new()
    {
        { "hello world", [271, 274, 262, 266] },          // ▁hello ▁wor l d
        { "world", [274, 262, 266] },
        { " hello", [259, 271] },                         // "▁▁hello": the dummy prefix stays separate
        { "hell", [270] },                                // ▁hell
        { "hel", [259, 267, 262] },                       // "h e" outranks "e l": ▁ he l, not ▁ h el
        { "el", [259, 275] },
        { "hello é", [271, 259, 3 + 0xC3, 3 + 0xA9] },    // é has no piece: byte fallback <0xC3><0xA9>
        { "hi", [259, 260, 3 + 'i'] },                    // i has no piece: <0x69>
        { "hello</s>", [271, 2] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_legacy_prepend_and_replace_normalizer_encodes_like_llama_2(string text, int[] expected)
    {
        Assert.Equal(expected, Legacy.EncodeText(text));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_metaspace_pre_tokenizer_spelling_encodes_the_same(string text, int[] expected)
    {
        Assert.Equal(expected, Metaspace.EncodeText(text));
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("hello é")]
    [InlineData(" two  spaces and ümlauts 😀")]
    public void Decoding_gives_back_the_text(string text)
    {
        Assert.Equal(text, Legacy.Decode(Legacy.EncodeText(text)));
    }

    [Fact]
    public void Special_tokens_are_decoded_unless_skipped()
    {
        Assert.Equal("<s>hello</s>", Legacy.Decode([1, 271, 2]));
        Assert.Equal("hello", Legacy.Decode([1, 271, 2], skipSpecialTokens: true));
    }

    [Fact]
    public void Llama_tokenizer_class_adds_bos_and_named_tokens_resolve_from_added_token_objects()
    {
        Assert.Equal("tokenizer.json (SentencePiece-style BPE)", Legacy.Kind);
        Assert.IsType<Microsoft.ML.Tokenizers.SentencePieceTokenizer>(Legacy.Inner);
        Assert.Equal(276, Legacy.VocabSize);
        Assert.Equal(1, Legacy.BosTokenId);
        Assert.Equal(2, Legacy.EosTokenId);
        Assert.Null(Legacy.PadTokenId);
        Assert.True(Legacy.AddBosToken);
        Assert.False(Legacy.AddEosToken);
    }

    [Fact]
    public void Without_byte_fallback_or_unk_token_an_unknown_character_is_reported_with_index_and_code_point()
    {
        var tokenizer = Load(SentencePieceStyleTokenizerJson(byteFallback: false, unkToken: false), LlamaConfig);

        Assert.Equal([271, 274, 262, 266], tokenizer.EncodeText("hello world"));
        var ex = Assert.Throws<UnmappableTextException>(() => tokenizer.EncodeText("hello ü"));
        Assert.Equal(6, ex.Index);
        Assert.Equal(0xFC, ex.CodePoint);
        Assert.Equal("ü", ex.Character);
        Assert.Contains("'ü' (U+00FC) at index 6", ex.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_byte_fallback_an_unk_token_takes_unknown_characters()
    {
        var tokenizer = Load(SentencePieceStyleTokenizerJson(byteFallback: false, unkToken: true), LlamaConfig);

        Assert.Equal([271, 259, 0], tokenizer.EncodeText("hello ü"));
    }
}
