using System.Text.Json.Nodes;
using GradSentry.Tests.Support;
using GradSentry.Tokenization;
using static GradSentry.Tests.Tokenization.TokenizerFixtures;

namespace GradSentry.Tests.Tokenization;

public class TokenizerLoadErrorTests
{
    static TokenizerLoadException LoadFails(TempDirectory dir, string expectedFile)
    {
        var ex = Assert.Throws<TokenizerLoadException>(() => HfTokenizer.Load(dir.Path));
        Assert.Equal(dir.File(expectedFile), ex.FilePath);
        Assert.StartsWith(dir.File(expectedFile) + ": ", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    static TokenizerLoadException TokenizerJsonFails(JsonObject json, string expectedText)
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("tokenizer.json"), json);
        var ex = LoadFails(dir, "tokenizer.json");
        Assert.Contains(expectedText, ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public void A_directory_without_tokenizer_files_lists_what_was_looked_for()
    {
        using var dir = TestPaths.NewTempDirectory();
        File.WriteAllText(dir.File("config.json"), "{}");

        var ex = Assert.Throws<TokenizerLoadException>(() => HfTokenizer.Load(dir.Path));

        Assert.Equal(dir.Path, ex.FilePath);
        foreach (var name in new[] { "tokenizer.json", "tokenizer.model", "vocab.json", "merges.txt" })
            Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_directory_is_named()
    {
        using var dir = TestPaths.NewTempDirectory();
        var missing = Path.Combine(dir.Path, "no-such-model");

        var ex = Assert.Throws<TokenizerLoadException>(() => HfTokenizer.Load(missing));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vocab_json_without_merges_txt_names_the_missing_file()
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("vocab.json"), ByteVocabulary());

        LoadFails(dir, "merges.txt");
    }

    [Fact]
    public void Invalid_json_in_tokenizer_json_is_reported_with_its_line()
    {
        using var dir = TestPaths.NewTempDirectory();
        File.WriteAllText(dir.File("tokenizer.json"), "{\n  \"model\": {\n    \"type\": \"BPE\",,\n  }\n}");

        var ex = LoadFails(dir, "tokenizer.json");

        Assert.Contains("invalid JSON (line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tokenizer_json_without_model_is_refused()
    {
        var json = ByteLevelTokenizerJson();
        json.Remove("model");

        TokenizerJsonFails(json, "'model' is missing");
    }

    [Fact]
    public void A_bpe_model_without_vocab_is_refused()
    {
        var json = ByteLevelTokenizerJson();
        json["model"]!.AsObject().Remove("vocab");

        TokenizerJsonFails(json, "'model.vocab' is missing");
    }

    [Fact]
    public void A_merge_that_refers_to_an_unknown_token_is_named()
    {
        var json = ByteLevelTokenizerJson();
        json["model"]!["merges"]!.AsArray().Add("hello Ġworld");

        TokenizerJsonFails(json, "'model.merges[7]' (\"hello Ġworld\") refers to 'Ġworld', which is not in model.vocab");
    }

    [Fact]
    public void A_merge_whose_result_is_not_in_the_vocabulary_is_named()
    {
        var json = ByteLevelTokenizerJson();
        json["model"]!["merges"]!.AsArray().Add("w d");

        TokenizerJsonFails(json, "refers to 'wd'");
    }

    [Theory]
    [InlineData("WordPiece")]
    [InlineData("Unigram")]
    [InlineData("WordLevel")]
    public void Model_types_other_than_bpe_are_refused(string type)
    {
        var json = ByteLevelTokenizerJson();
        json["model"]!["type"] = type;

        TokenizerJsonFails(json, $"model type '{type}' is not supported");
    }

    [Fact]
    public void An_unsupported_pre_tokenizer_is_named()
    {
        TokenizerJsonFails(ByteLevelTokenizerJson(preTokenizer: new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(new JsonObject { ["type"] = "Digits", ["individual_digits"] = true }, new JsonObject { ["type"] = "ByteLevel" }),
        }), "pre-tokenizer 'Digits' is not supported");
    }

    [Fact]
    public void A_split_with_another_behavior_than_isolated_is_refused()
    {
        TokenizerJsonFails(ByteLevelTokenizerJson(preTokenizer: new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = "\\d" }, ["behavior"] = "Removed", ["invert"] = false },
                new JsonObject { ["type"] = "ByteLevel", ["use_regex"] = false }),
        }), "Split behavior 'Removed' is not supported");
    }

    [Fact]
    public void An_invalid_split_regex_is_named()
    {
        TokenizerJsonFails(ByteLevelTokenizerJson(preTokenizer: new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = "(\\p{N}" }, ["behavior"] = "Isolated", ["invert"] = false },
                new JsonObject { ["type"] = "ByteLevel", ["use_regex"] = false }),
        }), "is not a valid .NET regular expression");
    }

    [Fact]
    public void Byte_fallback_without_all_byte_tokens_is_refused()
    {
        var json = SentencePieceStyleTokenizerJson();
        var vocab = json["model"]!["vocab"]!.AsObject();
        vocab.Remove("<0x41>");
        vocab["x41"] = 3 + 0x41;

        TokenizerJsonFails(json, "'<0x41>' is missing or out of place");
    }

    [Fact]
    public void An_added_token_that_contradicts_the_vocabulary_is_refused()
    {
        var json = ByteLevelTokenizerJson();
        json["added_tokens"]!.AsArray().Add(AddedToken(5, "<|x|>", special: true));

        TokenizerJsonFails(json, "gives id 5 to '<|x|>'");
    }

    [Fact]
    public void A_tokenizer_config_naming_a_token_outside_the_vocabulary_is_refused()
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("tokenizer.json"), ByteLevelTokenizerJson());
        Write(dir.File("tokenizer_config.json"), new JsonObject { ["bos_token"] = new JsonObject { ["content"] = "<bos>" } });

        var ex = LoadFails(dir, "tokenizer_config.json");

        Assert.Contains("bos_token '<bos>' is not in the vocabulary of tokenizer.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_special_tokens_map_naming_a_token_outside_the_vocabulary_is_refused()
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("tokenizer.json"), ByteLevelTokenizerJson());
        Write(dir.File("special_tokens_map.json"), new JsonObject { ["eos_token"] = "</s>" });

        var ex = LoadFails(dir, "special_tokens_map.json");

        Assert.Contains("eos_token '</s>'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_json_id_outside_the_vocabulary_is_refused()
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("tokenizer.json"), ByteLevelTokenizerJson());
        Write(dir.File("config.json"), new JsonObject { ["eos_token_id"] = 999 });

        var ex = LoadFails(dir, "config.json");

        Assert.Contains("eos_token_id 999", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_in_tokenizer_config_is_reported()
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("tokenizer.json"), ByteLevelTokenizerJson());
        File.WriteAllText(dir.File("tokenizer_config.json"), "{ \"add_bos_token\": tru }");

        LoadFails(dir, "tokenizer_config.json");
    }

    [Fact]
    public void A_non_boolean_add_bos_token_is_refused()
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("tokenizer.json"), ByteLevelTokenizerJson());
        Write(dir.File("tokenizer_config.json"), new JsonObject { ["add_bos_token"] = "yes" });

        var ex = LoadFails(dir, "tokenizer_config.json");

        Assert.Contains("'add_bos_token' must be true or false", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_bos_without_any_bos_token_is_refused()
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("tokenizer.json"), ByteLevelTokenizerJson());
        Write(dir.File("tokenizer_config.json"), new JsonObject { ["add_bos_token"] = true });

        var ex = LoadFails(dir, "tokenizer_config.json");

        Assert.Contains("no bos_token is defined", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_merges_txt_line_is_named_with_its_number()
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("vocab.json"), WithMergeResults(ByteVocabulary(), ByteLevelMerges, 256));
        File.WriteAllText(dir.File("merges.txt"), "#version: 0.2\nh e\nl l x\n");

        var ex = LoadFails(dir, "merges.txt");

        Assert.Contains("line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_merges_txt_line_with_an_unknown_token_is_named()
    {
        using var dir = TestPaths.NewTempDirectory();
        Write(dir.File("vocab.json"), WithMergeResults(ByteVocabulary(), ByteLevelMerges, 256));
        File.WriteAllText(dir.File("merges.txt"), "#version: 0.2\nh e\nhe zz\n");

        var ex = LoadFails(dir, "merges.txt");

        Assert.Contains("line 3 (\"he zz\") refers to 'zz', which is not in vocab.json", ex.Message, StringComparison.Ordinal);
    }
}
