using System.Text.Json.Nodes;
using GradSentry.Tests.Support;
using GradSentry.Tokenization;
using static GradSentry.Tests.Tokenization.TokenizerFixtures;

namespace GradSentry.Tests.Tokenization;

// Same ids as the byte-level tokenizer.json fixture: byte b -> b, merges 256..262, <|endoftext|> 263 (in vocab.json).
public class VocabMergesTokenizerTests
{
    static void WriteGpt2Files(TempDirectory dir, bool? addPrefixSpace = false)
    {
        var vocab = WithMergeResults(ByteVocabulary(), ByteLevelMerges, 256);
        vocab["<|endoftext|>"] = 263;
        Write(dir.File("vocab.json"), vocab);
        File.WriteAllText(dir.File("merges.txt"), "#version: 0.2\n" + string.Join("\n", ByteLevelMerges) + "\n");
        var config = new JsonObject
        {
            ["tokenizer_class"] = "GPT2Tokenizer",
            ["bos_token"] = "<|endoftext|>",
            ["eos_token"] = "<|endoftext|>",
            ["unk_token"] = "<|endoftext|>",
        };
        if (addPrefixSpace is { } flag) config["add_prefix_space"] = flag;
        Write(dir.File("tokenizer_config.json"), config);
    }

    [Theory]
    [InlineData("hello world", new[] { 259, 262, 108, 100 })]
    [InlineData(" hello", new[] { 32, 259 })]
    [InlineData("héllo", new[] { 104, 0xC3, 0xA9, 257, 111 })]
    [InlineData("hello<|endoftext|>", new[] { 259, 263 })]
    public void Gpt2_vocab_and_merges_encode_like_the_equivalent_tokenizer_json(string text, int[] expected)
    {
        using var dir = TestPaths.NewTempDirectory();
        WriteGpt2Files(dir);
        var tokenizer = HfTokenizer.Load(dir.Path);

        Assert.Equal(expected, tokenizer.EncodeText(text));
        Assert.Equal(text, tokenizer.Decode(expected));
    }

    [Fact]
    public void Gpt2_special_tokens_come_from_tokenizer_config_and_bos_is_not_added()
    {
        using var dir = TestPaths.NewTempDirectory();
        WriteGpt2Files(dir);
        var tokenizer = HfTokenizer.Load(dir.Path);

        Assert.Equal("vocab.json+merges.txt (byte-level BPE)", tokenizer.Kind);
        Assert.Equal(264, tokenizer.VocabSize);
        Assert.Equal(263, tokenizer.BosTokenId);
        Assert.Equal(263, tokenizer.EosTokenId);
        Assert.Null(tokenizer.PadTokenId);
        Assert.False(tokenizer.AddBosToken);
        Assert.False(tokenizer.AddEosToken);
    }

    [Fact]
    public void Add_prefix_space_in_tokenizer_config_prepends_a_space()
    {
        using var dir = TestPaths.NewTempDirectory();
        WriteGpt2Files(dir, addPrefixSpace: true);

        Assert.Equal([32, 259], HfTokenizer.Load(dir.Path).EncodeText("hello"));
    }

    [Fact]
    public void Added_tokens_json_adds_tokens_matched_whole_in_text()
    {
        using var dir = TestPaths.NewTempDirectory();
        WriteGpt2Files(dir);
        Write(dir.File("added_tokens.json"), new JsonObject { ["<|pad|>"] = 264 });
        var tokenizer = HfTokenizer.Load(dir.Path);

        Assert.Equal([259, 264, 259], tokenizer.EncodeText("hello<|pad|>hello"));
        Assert.Equal(265, tokenizer.VocabSize);
    }

    [Fact]
    public void Tokenizer_json_is_preferred_when_both_formats_exist()
    {
        using var dir = TestPaths.NewTempDirectory();
        WriteGpt2Files(dir);
        Write(dir.File("tokenizer.json"), ByteLevelTokenizerJson());

        Assert.Equal("tokenizer.json (byte-level BPE)", HfTokenizer.Load(dir.Path).Kind);
    }
}
