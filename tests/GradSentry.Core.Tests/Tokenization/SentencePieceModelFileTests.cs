using System.Globalization;
using System.Text.Json.Nodes;
using GradSentry.Tests.Support;
using GradSentry.Tokenization;
using static GradSentry.Tests.Tokenization.TokenizerFixtures;

namespace GradSentry.Tests.Tokenization;

public class SentencePieceModelFileTests
{
    /// <summary>
    /// BPE: &lt;unk&gt; 0, &lt;s&gt; 1, &lt;/s&gt; 2, bytes 3..258, ▁ h e l o w r d 259..266, then pieces whose score
    /// orders the merges: he 267, ll 268, hell 269, ▁hell 270, ▁hello 271, ▁w 272, or 273, ▁wor 274.
    /// </summary>
    static SentencePieceProto LlamaLikeBpe(bool byteFallback = true)
    {
        var proto = new SentencePieceProto { ModelType = 2, ByteFallback = byteFallback };
        proto.Pieces.Add(("<unk>", 0, SentencePieceProto.Unknown));
        proto.Pieces.Add(("<s>", 0, SentencePieceProto.Control));
        proto.Pieces.Add(("</s>", 0, SentencePieceProto.Control));
        for (var b = 0; b < 256; b++) proto.Pieces.Add((string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"), 0, SentencePieceProto.Byte));
        foreach (var piece in SentencePieceChars) proto.Pieces.Add((piece, 0, SentencePieceProto.Normal));
        var score = -1f;
        foreach (var piece in new[] { "he", "ll", "hell", "▁hell", "▁hello", "▁w", "or", "▁wor" }) proto.Pieces.Add((piece, score--, SentencePieceProto.Normal));
        return proto;
    }

    static HfTokenizer Load(SentencePieceProto proto, JsonObject? tokenizerConfig = null)
    {
        using var dir = TestPaths.NewTempDirectory();
        File.WriteAllBytes(dir.File("tokenizer.model"), proto.ToBytes());
        if (tokenizerConfig is not null) Write(dir.File("tokenizer_config.json"), tokenizerConfig);
        return HfTokenizer.Load(dir.Path);
    }

    [Theory]
    [InlineData("hello world", new[] { 271, 274, 262, 266 })]
    [InlineData(" hello", new[] { 259, 271 })]
    [InlineData("hello é", new[] { 271, 259, 3 + 0xC3, 3 + 0xA9 })]
    [InlineData("hello</s>", new[] { 271, 2 })]
    public void A_hand_built_bpe_model_encodes_through_the_library_sentencepiece_tokenizer(string text, int[] expected)
    {
        var tokenizer = Load(LlamaLikeBpe());

        Assert.Equal(expected, tokenizer.EncodeText(text));
        Assert.Equal(text, tokenizer.Decode(expected));
    }

    [Fact]
    public void Bos_and_eos_come_from_the_model_when_no_config_names_them()
    {
        var tokenizer = Load(LlamaLikeBpe());

        Assert.Equal("tokenizer.model (SentencePiece BPE)", tokenizer.Kind);
        Assert.IsType<Microsoft.ML.Tokenizers.SentencePieceTokenizer>(tokenizer.Inner);
        Assert.Equal(275, tokenizer.VocabSize);
        Assert.Equal(1, tokenizer.BosTokenId);
        Assert.Equal(2, tokenizer.EosTokenId);
        Assert.Null(tokenizer.PadTokenId);
        Assert.False(tokenizer.AddBosToken);
    }

    [Fact]
    public void Llama_tokenizer_config_turns_on_bos_and_adds_tokens_beyond_the_model()
    {
        var tokenizer = Load(LlamaLikeBpe(), new JsonObject
        {
            ["tokenizer_class"] = "LlamaTokenizer",
            ["pad_token"] = "<pad>",
            ["added_tokens_decoder"] = new JsonObject { ["275"] = new JsonObject { ["content"] = "<pad>", ["special"] = true } },
        });

        Assert.True(tokenizer.AddBosToken);
        Assert.Equal(275, tokenizer.PadTokenId);
        Assert.Equal(276, tokenizer.VocabSize);
        Assert.Equal([271, 275, 274, 262, 266], tokenizer.EncodeText("hello<pad> world"));
        // The dummy prefix "▁" is added at the start of the text only, not again after an added token
        // (Hugging Face's non-legacy behaviour; legacy Llama tokenizers would start "world" with "▁").
        Assert.Equal([271, 275, 264, 273, 262, 266], tokenizer.EncodeText("hello<pad>world"));
    }

    [Fact]
    public void A_unigram_model_picks_the_best_scoring_segmentation()
    {
        // ▁world (-4) loses to ▁wor + ld (-1 + -1); ▁hello (-4) beats single characters.
        var proto = new SentencePieceProto { ModelType = 1 };
        proto.Pieces.Add(("<unk>", 0, SentencePieceProto.Unknown));
        proto.Pieces.Add(("<s>", 0, SentencePieceProto.Control));
        proto.Pieces.Add(("</s>", 0, SentencePieceProto.Control));
        foreach (var piece in SentencePieceChars) proto.Pieces.Add((piece, -3, SentencePieceProto.Normal));   // 3..10
        proto.Pieces.Add(("▁hello", -4, SentencePieceProto.Normal));  // 11
        proto.Pieces.Add(("▁world", -4, SentencePieceProto.Normal));  // 12
        proto.Pieces.Add(("▁wor", -1, SentencePieceProto.Normal));    // 13
        proto.Pieces.Add(("ld", -1, SentencePieceProto.Normal));      // 14
        var tokenizer = Load(proto);

        Assert.Equal("tokenizer.model (SentencePiece Unigram)", tokenizer.Kind);
        Assert.Equal([11, 13, 14], tokenizer.EncodeText("hello world"));
        Assert.Equal([11, 3, 0], tokenizer.EncodeText("hello é"));   // no byte fallback: é is <unk>
    }

    [Fact]
    public void A_unigram_model_with_byte_fallback_is_refused_because_the_library_mis_encodes_it()
    {
        var proto = LlamaLikeBpe();
        proto.ModelType = 1;

        var ex = Assert.Throws<TokenizerLoadException>(() => Load(proto));

        Assert.Contains("tokenizer.model", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Unigram", ex.Message, StringComparison.Ordinal);
        Assert.Contains("byte_fallback", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, true, "trainer_spec")]
    [InlineData(true, false, "normalizer_spec")]
    public void A_model_without_trainer_or_normalizer_spec_is_refused_with_the_missing_part_named(bool trainer, bool normalizer, string missing)
    {
        var proto = LlamaLikeBpe();
        if (!trainer) proto.ModelType = null;
        proto.WriteNormalizerSpec = normalizer;

        var ex = Assert.Throws<TokenizerLoadException>(() => Load(proto));

        Assert.Contains("tokenizer.model", ex.Message, StringComparison.Ordinal);
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_protobuf_is_refused_with_the_file_named()
    {
        using var dir = TestPaths.NewTempDirectory();
        File.WriteAllBytes(dir.File("tokenizer.model"), [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);

        var ex = Assert.Throws<TokenizerLoadException>(() => HfTokenizer.Load(dir.Path));

        Assert.Equal(dir.File("tokenizer.model"), ex.FilePath);
        Assert.Contains(dir.File("tokenizer.model"), ex.Message, StringComparison.Ordinal);
    }
}
