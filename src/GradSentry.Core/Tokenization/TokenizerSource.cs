using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace GradSentry.Tokenization;

/// <summary>The library tokenizer with the project's encode/decode conventions and its text check.</summary>
internal sealed record BuiltTokenizer(
    Tokenizer Inner,
    TextCoverage Coverage,
    Func<string, IReadOnlyList<int>> Encode,
    Func<IEnumerable<int>, bool, string> Decode);

/// <summary>Special-token ids resolved from the configuration files, for formats whose translation needs them.</summary>
internal readonly record struct SpecialIds(int? Bos, int? Eos, int? Unk);

/// <summary>What a <c>post_processor</c> template of <c>tokenizer.json</c> adds around a single sequence.</summary>
internal sealed record TemplateHint(bool AddBos, int? BosId, bool AddEos, int? EosId);

/// <summary>A tokenizer file read into vocabulary, added tokens and a deferred library build.</summary>
internal sealed class TokenizerSource
{
    /// <summary>The file read (<c>tokenizer.json</c>, <c>tokenizer.model</c> or <c>vocab.json</c>).</summary>
    public required string Path { get; init; }
    /// <summary>Format description (see <see cref="HfTokenizer.Kind"/>).</summary>
    public required string Kind { get; init; }
    /// <summary>Token to id over the model vocabulary and the added tokens.</summary>
    public required IReadOnlyDictionary<string, int> TokenToId { get; init; }
    /// <summary>Every valid id.</summary>
    public required IReadOnlySet<int> Ids { get; init; }
    /// <summary>Added tokens (matched whole in text).</summary>
    public required IReadOnlyList<AddedToken> AddedTokens { get; init; }
    /// <summary>The post_processor template, when the file has one.</summary>
    public TemplateHint? Template { get; init; }
    /// <summary>Ids the model file itself declares (SentencePiece trainer_spec).</summary>
    public (int? Bos, int? Eos, int? Pad, int? Unk) ModelDefaults { get; init; }
    /// <summary>Builds the library tokenizer once the special-token ids are known.</summary>
    public required Func<SpecialIds, BuiltTokenizer> Build { get; init; }

    /// <summary>GPT-2's pre-tokenizer pattern (Hugging Face ByteLevel <c>use_regex</c>).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    static readonly Regex WholeText = new(@"[\s\S]+", RegexOptions.CultureInvariant);

    /// <summary>Added tokens as the library's special-token map, longest first (the library matches them in that order).</summary>
    public static Dictionary<string, int> AddedTokenMap(IEnumerable<AddedToken> added)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in added.OrderByDescending(t => t.Content.Length).ThenBy(t => t.Content, StringComparer.Ordinal))
            map.TryAdd(token.Content, token.Id);
        return map;
    }

    /// <summary>
    /// A Hugging Face <c>Split</c> pre-tokenizer (behaviour Isolated) as a regex for the library's
    /// <see cref="RegexPreTokenizer"/>, which keeps only matches: a second alternative turns every gap between
    /// matches into one piece of its own, as Isolated does.
    /// </summary>
    public static Regex SplitRegex(string pattern) =>
        new($"(?:{pattern})|(?:(?!(?:{pattern}))[\\s\\S])+", RegexOptions.CultureInvariant);

    /// <summary>
    /// Byte-level BPE through <see cref="BpeTokenizer.Create(BpeOptions)"/> (GPT-2, Qwen2, Llama-3 and
    /// <c>vocab.json</c> + <c>merges.txt</c>): the library converts text to UTF-8 and the byte alphabet itself.
    /// </summary>
    public static BuiltTokenizer BuildByteLevelBpe(
        string path, IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<string> merges, IReadOnlyList<AddedToken> added,
        Regex? split, Normalizer? normalizer, string? unknownToken, bool fuseUnknown = false, string? continuingSubwordPrefix = null, string? endOfWordSuffix = null)
    {
        var special = AddedTokenMap(added);
        var options = new BpeOptions(vocabulary)
        {
            Merges = merges,
            SpecialTokens = special.Count > 0 ? special : null,
            PreTokenizer = new RegexPreTokenizer(split ?? WholeText, special.Count > 0 ? special : null),
            Normalizer = normalizer,
            UnknownToken = unknownToken,
            FuseUnknownTokens = fuseUnknown,
            ContinuingSubwordPrefix = continuingSubwordPrefix,
            EndOfWordSuffix = endOfWordSuffix,
            ByteLevel = true,
        };
        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(options);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            throw new TokenizerLoadException(path, "Microsoft.ML.Tokenizers rejected the BPE model: " + ex.Message, ex);
        }
        var file = System.IO.Path.GetFileName(path);
        var coverage = unknownToken is null
            ? TextCoverage.ByteLevel(vocabulary, special.Keys, $"{file} has no token for it, no unknown token and no byte fallback")
            : TextCoverage.Everything();
        var addedById = added.GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.First());
        return new BuiltTokenizer(bpe, coverage, text => bpe.EncodeToIds(text), (ids, skip) => DecodeByteLevel(bpe, addedById, ids, skip));
    }

    /// <summary>
    /// Byte-level decoding with added tokens written as their text. The library's own
    /// <c>BpeTokenizer.Decode</c> maps the characters of special tokens through the byte alphabet too, which
    /// garbles any non-ASCII special token (<c>&lt;é&gt;</c> comes out as <c>&lt;\uFFFD&gt;</c>); runs of ordinary
    /// ids are still decoded by the library. <paramref name="skipSpecial"/> leaves out added tokens marked
    /// special, as Hugging Face's <c>skip_special_tokens</c> does.
    /// </summary>
    static string DecodeByteLevel(BpeTokenizer bpe, Dictionary<int, AddedToken> added, IEnumerable<int> ids, bool skipSpecial)
    {
        if (added.Count == 0) return bpe.Decode(ids, considerSpecialTokens: false);
        var text = new System.Text.StringBuilder();
        var run = new List<int>();
        foreach (var id in ids)
        {
            if (!added.TryGetValue(id, out var token))
            {
                run.Add(id);
                continue;
            }
            if (run.Count > 0) text.Append(bpe.Decode(run, considerSpecialTokens: false));
            run.Clear();
            if (!(skipSpecial && token.Special)) text.Append(token.Content);
        }
        if (run.Count > 0) text.Append(bpe.Decode(run, considerSpecialTokens: false));
        return text.ToString();
    }

    /// <summary>A SentencePiece model through <see cref="SentencePieceTokenizer.Create"/>; BOS/EOS are never added by the library.</summary>
    public static SentencePieceTokenizer CreateSentencePiece(string path, byte[] model, IReadOnlyDictionary<string, int> addedTokens)
    {
        try
        {
            using var stream = new MemoryStream(model, writable: false);
            return SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false, addedTokens.Count > 0 ? addedTokens : null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or IndexOutOfRangeException or NotSupportedException or Google.Protobuf.InvalidProtocolBufferException)
        {
            throw new TokenizerLoadException(path, "Microsoft.ML.Tokenizers rejected the SentencePiece model: " + ex.Message, ex);
        }
    }

    /// <summary>Encode and decode delegates for a SentencePiece tokenizer (no BOS/EOS; special tokens decoded unless skipped).</summary>
    public static BuiltTokenizer WrapSentencePiece(SentencePieceTokenizer sentencePiece, TextCoverage coverage) => new(
        sentencePiece,
        coverage,
        text => sentencePiece.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false),
        (ids, skip) => sentencePiece.Decode(ids, considerSpecialTokens: !skip));
}
