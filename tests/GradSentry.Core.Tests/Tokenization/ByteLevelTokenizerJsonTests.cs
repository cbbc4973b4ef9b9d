using System.Text.Json.Nodes;
using GradSentry.Tests.Support;
using GradSentry.Tokenization;
using static GradSentry.Tests.Tokenization.TokenizerFixtures;

namespace GradSentry.Tests.Tokenization;

// Fixture ids: byte b -> b; merges "h e" 256, "l l" 257, "he ll" 258, "hell o" 259, "Ġ w" 260, "o r" 261, "Ġw or" 262;
// <|endoftext|> 263 (special added token).
public class ByteLevelTokenizerJsonTests
{
    static HfTokenizer Load(JsonObject tokenizerJson, JsonObject? tokenizerConfig = null)
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("tokenizer.json"), tokenizerJson);
        if (tokenizerConfig is not null) Write(dir.File("tokenizer_config.json"), tokenizerConfig);
        return HfTokenizer.Load(dir.Path);
    }

    static readonly HfTokenizer Gpt2Like = Load(ByteLevelTokenizerJson());

    [Theory]
    [InlineData("hello world", new[] { 259, 262, 108, 100 })]   // "hello" | " world" -> Ġw+or, l, d
    [InlineData("hell", new[] { 258 })]                         // he, ll -> hell
    [InlineData(" hello", new[] { 32, 259 })]                   // no "Ġ hello" merge
    [InlineData("world", new[] { 119, 261, 108, 100 })]         // no Ġ: w, or, l, d
    [InlineData("héllo", new[] { 104, 0xC3, 0xA9, 257, 111 })]  // é is two byte tokens; ll still merges
    [InlineData("hello<|endoftext|>world", new[] { 259, 263, 119, 261, 108, 100 })]
    public void Merges_are_applied_in_rank_order_within_gpt2_pre_tokens(string text, int[] expected)
    {
        Assert.Equal(expected, Gpt2Like.EncodeText(text));
        Assert.Equal(text, Gpt2Like.Decode(expected));
    }

    [Fact]
    public void Skipping_special_tokens_leaves_them_out_of_the_decoded_text()
    {
        Assert.Equal("hello<|endoftext|>world", Gpt2Like.Decode([259, 263, 119, 261, 108, 100]));
        Assert.Equal("helloworld", Gpt2Like.Decode([259, 263, 119, 261, 108, 100], skipSpecialTokens: true));
    }

    [Fact]
    public void Kind_vocabulary_size_and_class_defaults_describe_a_gpt2_style_tokenizer()
    {
        var tokenizer = Load(ByteLevelTokenizerJson(), new JsonObject { ["tokenizer_class"] = "GPT2Tokenizer", ["eos_token"] = "<|endoftext|>" });

        Assert.Equal("tokenizer.json (byte-level BPE)", tokenizer.Kind);
        Assert.Equal(264, tokenizer.VocabSize);
        Assert.False(tokenizer.AddBosToken);
        Assert.False(tokenizer.AddEosToken);
        Assert.Null(tokenizer.BosTokenId);
        Assert.Equal(263, tokenizer.EosTokenId);
        Assert.Equal(258, tokenizer.TokenToId("hell"));
    }

    static JsonObject Llama3StylePreTokenizer(string regex) => new()
    {
        ["type"] = "Sequence",
        ["pretokenizers"] = new JsonArray(
            new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = regex }, ["behavior"] = "Isolated", ["invert"] = false },
            new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false }),
    };

    // Merges "3 4" 256, "1 2" 257, "12 3" 258, "a b" 259. Without the split "12345" would be 12, 34, 5.
    static readonly HfTokenizer DigitSplit = Load(ByteLevelTokenizerJson(
        merges: ["3 4", "1 2", "12 3", "a b"], preTokenizer: Llama3StylePreTokenizer(@"\p{N}{1,3}")));

    [Theory]
    [InlineData("12345", new[] { 258, 52, 53 })]     // "123" | "45"
    [InlineData("34", new[] { 256 })]
    [InlineData("ab1", new[] { 259, 49 })]           // the unmatched gap "ab" is one piece, so a+b merge
    [InlineData("a12345b", new[] { 97, 258, 52, 53, 98 })]
    public void The_split_pre_tokenizer_regex_decides_where_merges_may_apply(string text, int[] expected)
    {
        Assert.Equal(expected, DigitSplit.EncodeText(text));
        Assert.Equal(text, DigitSplit.Decode(expected));
    }

    [Fact]
    public void Without_a_regex_the_whole_text_is_one_piece()
    {
        var tokenizer = Load(ByteLevelTokenizerJson(merges: ["3 4", "1 2", "12 3"],
            preTokenizer: new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = false }));

        Assert.Equal([257, 256, 53], tokenizer.EncodeText("12345"));
    }

    [Fact]
    public void Add_prefix_space_prepends_a_space_before_encoding()
    {
        var tokenizer = Load(ByteLevelTokenizerJson(preTokenizer: new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["use_regex"] = true }));

        Assert.Equal([32, 259], tokenizer.EncodeText("hello"));
        Assert.Equal([32, 259], tokenizer.EncodeText(" hello"));
    }

    [Fact]
    public void An_nfc_normalizer_composes_characters_before_the_bytes_are_taken()
    {
        var json = ByteLevelTokenizerJson();
        json["normalizer"] = new JsonObject { ["type"] = "NFC" };
        var tokenizer = Load(json);

        Assert.Equal([0xC3, 0xA9], tokenizer.EncodeText("e\u0301"));
    }

    [Fact]
    public void Merges_may_be_written_as_pairs()
    {
        var json = ByteLevelTokenizerJson();
        json["model"]!["merges"] = new JsonArray(ByteLevelMerges.Select(m => (JsonNode)new JsonArray(m.Split(' ')[0], m.Split(' ')[1])).ToArray());

        Assert.Equal([259, 262, 108, 100], Load(json).EncodeText("hello world"));
    }

    [Fact]
    public void A_template_post_processor_gives_add_bos_and_the_bos_id_when_tokenizer_config_is_silent()
    {
        var json = ByteLevelTokenizerJson();
        json["post_processor"] = new JsonObject
        {
            ["type"] = "Sequence",
            ["processors"] = new JsonArray(
                new JsonObject { ["type"] = "ByteLevel", ["trim_offsets"] = false },
                new JsonObject
                {
                    ["type"] = "TemplateProcessing",
                    ["single"] = new JsonArray(
                        new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<|endoftext|>", ["type_id"] = 0 } },
                        new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                    ["special_tokens"] = new JsonObject { ["<|endoftext|>"] = new JsonObject { ["id"] = "<|endoftext|>", ["ids"] = new JsonArray(263) } },
                }),
        };

        var silent = Load(json);
        var explicitFalse = Load(json, new JsonObject { ["add_bos_token"] = false });

        Assert.True(silent.AddBosToken);
        Assert.Equal(263, silent.BosTokenId);
        Assert.False(silent.AddEosToken);
        Assert.False(explicitFalse.AddBosToken);
    }
}
