using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GradSentry.Tests.Tokenization;

/// <summary>Small tokenizer files written by the tests themselves, with ids simple enough to compute by hand.</summary>
public static class TokenizerFixtures
{
    /// <summary>GPT-2's byte → vocabulary character table (Hugging Face <c>bytes_to_unicode</c>), written out independently.</summary>
    public static char ByteChar(int b)
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 0xAC - 0xA1 + 1)).Concat(Enumerable.Range(0xAE, 0xFF - 0xAE + 1)).ToList();
        if (printable.Contains(b)) return (char)b;
        var extra = Enumerable.Range(0, 256).Where(x => !printable.Contains(x)).ToList();
        return (char)(256 + extra.IndexOf(b));
    }

    /// <summary>A byte-level vocabulary where the token of byte b has id b (as in the golden tiny models), restricted to <paramref name="bytes"/>.</summary>
    public static JsonObject ByteVocabulary(IEnumerable<int>? bytes = null)
    {
        var vocab = new JsonObject();
        foreach (var b in bytes ?? Enumerable.Range(0, 256)) vocab[ByteChar(b).ToString()] = b;
        return vocab;
    }

    /// <summary>The merges of the byte-level fixtures, ids 256.. in this order.</summary>
    public static readonly string[] ByteLevelMerges = ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or"];

    /// <summary>Adds each merge's result to <paramref name="vocab"/> with ids from <paramref name="firstId"/>.</summary>
    public static JsonObject WithMergeResults(JsonObject vocab, IEnumerable<string> merges, int firstId)
    {
        foreach (var merge in merges) vocab[merge.Replace(" ", "", StringComparison.Ordinal)] = firstId++;
        return vocab;
    }

    /// <summary>
    /// A GPT-2 style byte-level BPE <c>tokenizer.json</c>: bytes 0..255, the <see cref="ByteLevelMerges"/>
    /// (ids 256..262) and the special added token <c>&lt;|endoftext|&gt;</c> (263).
    /// </summary>
    public static JsonObject ByteLevelTokenizerJson(JsonObject? vocab = null, IEnumerable<string>? merges = null, JsonNode? preTokenizer = null)
    {
        merges ??= ByteLevelMerges;
        vocab ??= WithMergeResults(ByteVocabulary(), merges, 256);
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(AddedToken(263, "<|endoftext|>", special: true)),
            ["normalizer"] = null,
            ["pre_tokenizer"] = preTokenizer ?? new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = "",
                ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(merges.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray()),
            },
        };
    }

    /// <summary>Pieces after the byte tokens in the SentencePiece-style fixtures (ids 259..266).</summary>
    public static readonly string[] SentencePieceChars = ["▁", "h", "e", "l", "o", "w", "r", "d"];

    /// <summary>
    /// Merges of the SentencePiece-style fixtures, results at ids 267..275 in this order; the last one ("e l") competes
    /// with "h e" and "l l" and must lose to them.
    /// </summary>
    public static readonly string[] SentencePieceMerges = ["h e", "l l", "he ll", "▁ hell", "▁hell o", "▁ w", "o r", "▁w or", "e l"];

    /// <summary>
    /// A Llama-2 style <c>tokenizer.json</c>: <c>&lt;unk&gt;</c> 0, <c>&lt;s&gt;</c> 1, <c>&lt;/s&gt;</c> 2, <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c>
    /// 3..258, <see cref="SentencePieceChars"/> 259..266, merge results 267..275. <paramref name="metaspace"/> picks the newer
    /// spelling (Metaspace pre-tokenizer) over the legacy one (Prepend + Replace normalizer).
    /// </summary>
    public static JsonObject SentencePieceStyleTokenizerJson(bool metaspace = false, bool byteFallback = true, bool unkToken = true)
    {
        var vocab = new JsonObject { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (var b = 0; b < 256; b++) vocab[string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>")] = 3 + b;
        var id = 259;
        foreach (var piece in SentencePieceChars) vocab[piece] = id++;
        WithMergeResults(vocab, SentencePieceMerges, id);

        JsonNode? normalizer = metaspace ? null : new JsonObject
        {
            ["type"] = "Sequence",
            ["normalizers"] = new JsonArray(
                new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" }),
        };
        JsonNode? preTokenizer = metaspace
            ? new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = false }
            : null;
        JsonNode decoder = metaspace
            ? new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = false }
            : new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = "▁" }, ["content"] = " " },
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Fuse" },
                    new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
            };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(AddedToken(0, "<unk>", true), AddedToken(1, "<s>", true), AddedToken(2, "</s>", true)),
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
                ["special_tokens"] = new JsonObject { ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = new JsonArray(1), ["tokens"] = new JsonArray("<s>") } },
            },
            ["decoder"] = decoder,
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = unkToken ? "<unk>" : null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = true,
                ["byte_fallback"] = byteFallback,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(SentencePieceMerges.Select(m => (JsonNode)new JsonArray(m.Split(' ')[0], m.Split(' ')[1])).ToArray()),
            },
        };
    }

    /// <summary>A Hugging Face AddedToken entry.</summary>
    public static JsonObject AddedToken(int id, string content, bool special) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = false,
        ["lstrip"] = false,
        ["rstrip"] = false,
        ["normalized"] = false,
        ["special"] = special,
    };

    /// <summary>Writes <paramref name="json"/> to <paramref name="path"/> (UTF-8, no escaping of non-ASCII).</summary>
    public static void Write(string path, JsonNode json) =>
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), new UTF8Encoding(false));
}

/// <summary>
/// A SentencePiece <c>ModelProto</c> written byte by byte from the schema (independently of the code under test):
/// repeated <c>pieces</c> = 1 {piece = 1, score = 2, type = 3}, <c>trainer_spec</c> = 2, <c>normalizer_spec</c> = 3.
/// </summary>
public sealed class SentencePieceProto
{
    /// <summary>Piece types: NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6.</summary>
    public const int Normal = 1, Unknown = 2, Control = 3, Byte = 6;

    /// <summary>The pieces in id order.</summary>
    public List<(string Piece, float Score, int Type)> Pieces { get; } = [];

    /// <summary>TrainerSpec.model_type (1 UNIGRAM, 2 BPE); null leaves trainer_spec out.</summary>
    public int? ModelType { get; set; } = 2;

    /// <summary>TrainerSpec.byte_fallback (field 35).</summary>
    public bool ByteFallback { get; set; }

    /// <summary>Whether to write normalizer_spec (add_dummy_prefix true, remove_extra_whitespaces false, escape_whitespaces true).</summary>
    public bool WriteNormalizerSpec { get; set; } = true;

    /// <summary>The serialized model.</summary>
    public byte[] ToBytes()
    {
        var model = new List<byte>();
        foreach (var (piece, score, type) in Pieces)
        {
            var message = new List<byte>();
            LengthDelimited(message, 1, Encoding.UTF8.GetBytes(piece));
            Tag(message, 2, 5);
            message.AddRange(BitConverter.GetBytes(score));
            Varint(message, 3, (ulong)type);
            LengthDelimited(model, 1, message.ToArray());
        }
        if (ModelType is { } modelType)
        {
            var trainer = new List<byte>();
            Varint(trainer, 3, (ulong)modelType);
            Varint(trainer, 35, ByteFallback ? 1UL : 0UL);
            Varint(trainer, 40, 0);   // unk_id
            Varint(trainer, 41, 1);   // bos_id
            Varint(trainer, 42, 2);   // eos_id
            Varint(trainer, 43, unchecked((ulong)-1L)); // pad_id = -1 (disabled)
            LengthDelimited(model, 2, trainer.ToArray());
        }
        if (WriteNormalizerSpec)
        {
            var normalizer = new List<byte>();
            LengthDelimited(normalizer, 1, Encoding.UTF8.GetBytes("identity"));
            Varint(normalizer, 3, 1); // add_dummy_prefix
            Varint(normalizer, 4, 0); // remove_extra_whitespaces
            Varint(normalizer, 5, 1); // escape_whitespaces
            LengthDelimited(model, 3, normalizer.ToArray());
        }
        return model.ToArray();
    }

    static void Tag(List<byte> output, int field, int wireType) => RawVarint(output, (ulong)((field << 3) | wireType));

    static void Varint(List<byte> output, int field, ulong value)
    {
        Tag(output, field, 0);
        RawVarint(output, value);
    }

    static void LengthDelimited(List<byte> output, int field, byte[] payload)
    {
        Tag(output, field, 2);
        RawVarint(output, (ulong)payload.Length);
        output.AddRange(payload);
    }

    static void RawVarint(List<byte> output, ulong value)
    {
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            output.Add(value == 0 ? b : (byte)(b | 0x80));
        } while (value != 0);
    }
}
