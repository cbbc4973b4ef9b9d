using System.Text.Json.Nodes;
using GradSentry.Tests.Support;
using GradSentry.Tokenization;
using static GradSentry.Tests.Tokenization.TokenizerFixtures;

namespace GradSentry.Tests.Tokenization;

public class TokenizerConfigResolutionTests
{
    /// <summary>A copy of the golden tiny-llama tokenizer.json (template adds &lt;s&gt;) with chosen config files.</summary>
    static HfTokenizer TinyWith(JsonObject? tokenizerConfig = null, JsonObject? specialTokensMap = null, JsonObject? config = null)
    {
        using var dir = TestPaths.NewTempDirectory();
        File.Copy(Path.Combine(TestPaths.GoldenModel("tiny-llama"), "tokenizer.json"), dir.File("tokenizer.json"));
        if (tokenizerConfig is not null) Write(dir.File("tokenizer_config.json"), tokenizerConfig);
        if (specialTokensMap is not null) Write(dir.File("special_tokens_map.json"), specialTokensMap);
        if (config is not null) Write(dir.File("config.json"), config);
        return HfTokenizer.Load(dir.Path);
    }

    [Fact]
    public void Special_tokens_map_is_used_when_tokenizer_config_is_absent()
    {
        var tokenizer = TinyWith(specialTokensMap: new JsonObject
        {
            ["bos_token"] = new JsonObject { ["content"] = "<s>", ["lstrip"] = false },
            ["eos_token"] = "</s>",
            ["pad_token"] = "<pad>",
        });

        Assert.Equal((256, 257, 258), (tokenizer.BosTokenId, tokenizer.EosTokenId, tokenizer.PadTokenId));
    }

    [Fact]
    public void Config_json_ids_are_used_when_no_tokenizer_file_names_the_tokens()
    {
        var tokenizer = TinyWith(config: new JsonObject { ["bos_token_id"] = 256, ["eos_token_id"] = new JsonArray(257, 258), ["pad_token_id"] = 258 });

        Assert.Equal((256, 257, 258), (tokenizer.BosTokenId, tokenizer.EosTokenId, tokenizer.PadTokenId));
    }

    [Fact]
    public void A_negative_config_json_id_means_no_token()
    {
        var tokenizer = TinyWith(config: new JsonObject { ["pad_token_id"] = -1, ["eos_token_id"] = 257 });

        Assert.Null(tokenizer.PadTokenId);
        Assert.Equal(257, tokenizer.EosTokenId);
    }

    [Fact]
    public void Tokenizer_config_wins_over_special_tokens_map_and_config_json()
    {
        var tokenizer = TinyWith(
            tokenizerConfig: new JsonObject { ["eos_token"] = "<pad>" },
            specialTokensMap: new JsonObject { ["eos_token"] = "</s>" },
            config: new JsonObject { ["eos_token_id"] = 257 });

        Assert.Equal(258, tokenizer.EosTokenId);
    }

    [Fact]
    public void An_explicit_null_in_tokenizer_config_means_no_token()
    {
        var tokenizer = TinyWith(
            tokenizerConfig: new JsonObject { ["bos_token"] = null, ["add_bos_token"] = false },
            config: new JsonObject { ["bos_token_id"] = 256 });

        Assert.Null(tokenizer.BosTokenId);
        Assert.False(tokenizer.AddBosToken);
    }

    [Fact]
    public void Without_add_bos_token_the_template_decides_and_supplies_the_bos_id()
    {
        var tokenizer = TinyWith();

        Assert.True(tokenizer.AddBosToken);
        Assert.Equal(256, tokenizer.BosTokenId);
        Assert.Null(tokenizer.EosTokenId);
    }

    [Theory]
    [InlineData("LlamaTokenizerFast", true)]
    [InlineData("LlamaTokenizer", true)]
    [InlineData("GPT2TokenizerFast", false)]
    [InlineData("Qwen2TokenizerFast", false)]
    public void Without_add_bos_token_or_template_the_tokenizer_class_default_applies(string tokenizerClass, bool addBos)
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("tokenizer.json"), ByteLevelTokenizerJson());
        Write(dir.File("tokenizer_config.json"), new JsonObject { ["tokenizer_class"] = tokenizerClass, ["bos_token"] = "<|endoftext|>" });

        var tokenizer = HfTokenizer.Load(dir.Path);

        Assert.Equal(addBos, tokenizer.AddBosToken);
        Assert.False(tokenizer.AddEosToken);
    }

    [Fact]
    public void Add_eos_token_is_read_from_tokenizer_config()
    {
        var tokenizer = TinyWith(tokenizerConfig: new JsonObject { ["eos_token"] = "</s>", ["add_eos_token"] = true, ["add_bos_token"] = false });

        Assert.True(tokenizer.AddEosToken);
        Assert.False(tokenizer.AddBosToken);
        Assert.Equal(257, tokenizer.EosTokenId);
    }
}
