using System.Globalization;
using System.Text.Json.Nodes;
using GradSentry.Lab.TinyModels;

namespace GradSentry.Lab.Tokenizers;

/// <summary>
/// Writes a <see cref="BpeModel"/> as Hugging Face tokenizer files: <c>tokenizer.json</c> (BPE model, ByteLevel
/// pre-tokenizer and decoder without prefix space, the specials as added tokens, a template that prepends
/// <c>&lt;s&gt;</c>), <c>tokenizer_config.json</c> (<c>add_bos_token: true</c>) and <c>special_tokens_map.json</c>.
/// </summary>
public static class BpeTokenizerFiles
{
    /// <summary>Writes the three files into <paramref name="directory"/> (created if needed).</summary>
    public static void Write(string directory, BpeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(directory);
        TinyModelDirectory.WriteJson(Path.Combine(directory, "tokenizer.json"), TokenizerJson(model));
        TinyModelDirectory.WriteJson(Path.Combine(directory, "tokenizer_config.json"), TokenizerConfigJson(model));
        TinyModelDirectory.WriteJson(Path.Combine(directory, "special_tokens_map.json"), ByteTokenizerFiles.SpecialTokensMapJson());
    }

    /// <summary>The <c>tokenizer.json</c> content.</summary>
    public static JsonObject TokenizerJson(BpeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var json = ByteTokenizerFiles.TokenizerJson();
        var vocab = new JsonObject();
        for (var i = 0; i < model.Vocabulary.Count; i++) vocab[model.Vocabulary[i]] = i;
        var modelNode = json["model"]!.AsObject();
        modelNode["vocab"] = vocab;
        modelNode["merges"] = new JsonArray([.. model.Merges.Select(m => (JsonNode?)JsonValue.Create(m.Left + " " + m.Right))]);
        json["added_tokens"] = new JsonArray([.. model.Specials.Select((s, i) => (JsonNode?)AddedToken(s, i))]);
        var bos = json["post_processor"]!["special_tokens"]!["<s>"]!.AsObject();
        bos["ids"] = new JsonArray(BpeModel.BosId);
        return json;
    }

    /// <summary>The <c>tokenizer_config.json</c> content.</summary>
    public static JsonObject TokenizerConfigJson(BpeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var json = ByteTokenizerFiles.TokenizerConfigJson();
        var decoder = new JsonObject();
        for (var i = 0; i < model.Specials.Count; i++)
        {
            var token = AddedToken(model.Specials[i], i);
            token.Remove("id");
            decoder[i.ToString(CultureInfo.InvariantCulture)] = token;
        }
        json["added_tokens_decoder"] = decoder;
        return json;
    }

    static JsonObject AddedToken(string content, int id) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = false,
        ["lstrip"] = false,
        ["rstrip"] = false,
        ["normalized"] = false,
        ["special"] = true,
    };
}
