using System.Text.Json.Nodes;

namespace GradSentry.Lab.TinyModels;

/// <summary>
/// The tokenizer files of a byte-level model: <c>tokenizer.json</c> (a byte-level BPE with an empty merges list, so
/// every UTF-8 byte is one token whose id is the byte value, written with GPT-2's byte-to-unicode alphabet) with
/// <c>&lt;s&gt;</c> = 256, <c>&lt;/s&gt;</c> = 257, <c>&lt;pad&gt;</c> = 258 as added special tokens and a template
/// that prepends <c>&lt;s&gt;</c>; <c>tokenizer_config.json</c> (<c>add_bos_token: true</c>); <c>special_tokens_map.json</c>.
/// </summary>
public static class ByteTokenizerFiles
{
    /// <summary>Id of <c>&lt;s&gt;</c>.</summary>
    public const int BosId = 256;

    /// <summary>Id of <c>&lt;/s&gt;</c>.</summary>
    public const int EosId = 257;

    /// <summary>Id of <c>&lt;pad&gt;</c>.</summary>
    public const int PadId = 258;

    /// <summary>Vocabulary size: 256 bytes and three special tokens.</summary>
    public const int VocabSize = 259;

    static readonly (int Id, string Content)[] Specials = [(BosId, "<s>"), (EosId, "</s>"), (PadId, "<pad>")];

    /// <summary>Writes the three files into <paramref name="directory"/>.</summary>
    public static void Write(string directory)
    {
        TinyModelDirectory.WriteJson(Path.Combine(directory, "tokenizer.json"), TokenizerJson());
        TinyModelDirectory.WriteJson(Path.Combine(directory, "tokenizer_config.json"), TokenizerConfigJson());
        TinyModelDirectory.WriteJson(Path.Combine(directory, "special_tokens_map.json"), SpecialTokensMapJson());
    }

    /// <summary>GPT-2's <c>bytes_to_unicode</c>: printable bytes map to themselves, the rest to U+0100 onwards in byte order.</summary>
    public static IReadOnlyList<char> ByteAlphabet()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    /// <summary>The <c>tokenizer.json</c> content.</summary>
    public static JsonObject TokenizerJson()
    {
        var vocab = new JsonObject();
        var alphabet = ByteAlphabet();
        for (var b = 0; b < 256; b++) vocab[alphabet[b].ToString()] = b;
        foreach (var (id, content) in Specials) vocab[content] = id;
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray([.. Specials.Select(s => (JsonNode?)AddedToken(s.Content, s.Id))]),
            ["normalizer"] = null,
            ["pre_tokenizer"] = ByteLevel(addPrefixSpace: false),
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special("<s>", 0), Sequence("A", 0)),
                ["pair"] = new JsonArray(Special("<s>", 0), Sequence("A", 0), Special("<s>", 1), Sequence("B", 1)),
                ["special_tokens"] = new JsonObject
                {
                    ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = new JsonArray(BosId), ["tokens"] = new JsonArray("<s>") },
                },
            },
            ["decoder"] = ByteLevel(addPrefixSpace: true),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(),
            },
        };
    }

    /// <summary>The <c>tokenizer_config.json</c> content.</summary>
    public static JsonObject TokenizerConfigJson()
    {
        var decoder = new JsonObject();
        foreach (var (id, content) in Specials)
        {
            var token = AddedToken(content, id);
            token.Remove("id");
            decoder[id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = token;
        }
        return new JsonObject
        {
            ["add_bos_token"] = true,
            ["add_eos_token"] = false,
            ["bos_token"] = "<s>",
            ["eos_token"] = "</s>",
            ["pad_token"] = "<pad>",
            ["unk_token"] = null,
            ["clean_up_tokenization_spaces"] = false,
            ["model_max_length"] = 512,
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["added_tokens_decoder"] = decoder,
        };
    }

    /// <summary>The <c>special_tokens_map.json</c> content.</summary>
    public static JsonObject SpecialTokensMapJson() => new()
    {
        ["bos_token"] = "<s>",
        ["eos_token"] = "</s>",
        ["pad_token"] = "<pad>",
    };

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

    static JsonObject ByteLevel(bool addPrefixSpace) => new()
    {
        ["type"] = "ByteLevel",
        ["add_prefix_space"] = addPrefixSpace,
        ["trim_offsets"] = true,
        ["use_regex"] = true,
    };

    static JsonObject Special(string id, int typeId) => new() { ["SpecialToken"] = new JsonObject { ["id"] = id, ["type_id"] = typeId } };

    static JsonObject Sequence(string id, int typeId) => new() { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = typeId } };
}
