using System.Text;
using System.Text.RegularExpressions;

namespace GradSentry.Tokenization;

/// <summary>
/// Finds the first character of a text that a tokenizer cannot map. Microsoft.ML.Tokenizers silently drops
/// such characters when a BPE vocabulary has no unknown token (and maps them to id 0 in a SentencePiece model
/// without one), so the check runs before every encode. Text inside added tokens is skipped (those are
/// matched whole); lone UTF-16 surrogates are always rejected because they have no UTF-8 form.
/// </summary>
internal sealed class TextCoverage
{
    readonly Regex? _addedTokens;
    readonly bool[]? _missingBytes;
    readonly IReadOnlySet<int>? _singleRunePieces;
    readonly bool _spaceAsMetaspace;
    readonly string _reason;

    TextCoverage(Regex? addedTokens, bool[]? missingBytes, IReadOnlySet<int>? singleRunePieces, bool spaceAsMetaspace, string reason)
    {
        _addedTokens = addedTokens;
        _missingBytes = missingBytes;
        _singleRunePieces = singleRunePieces;
        _spaceAsMetaspace = spaceAsMetaspace;
        _reason = reason;
    }

    /// <summary>Every valid character maps (an unknown token or byte fallback exists).</summary>
    public static TextCoverage Everything() => new(null, null, null, false, "");

    /// <summary>
    /// Byte-level BPE: a character maps when every byte of its UTF-8 form has a vocabulary token
    /// (written in the <see cref="ByteLevelAlphabet"/>).
    /// </summary>
    public static TextCoverage ByteLevel(IReadOnlyDictionary<string, int> vocabulary, IEnumerable<string> addedTokens, string reason)
    {
        var missing = new bool[256];
        var any = false;
        for (var b = 0; b < 256; b++)
        {
            missing[b] = !vocabulary.ContainsKey(ByteLevelAlphabet.CharFor((byte)b).ToString());
            any |= missing[b];
        }
        return any ? new TextCoverage(AddedTokenRegex(addedTokens), missing, null, false, reason) : Everything();
    }

    /// <summary>
    /// Character-level pieces (SentencePiece-style BPE without unknown token or byte fallback): a character
    /// maps when it is a piece of its own; a space is looked up as <c>▁</c> when whitespace is escaped.
    /// </summary>
    public static TextCoverage Pieces(IEnumerable<string> vocabulary, IEnumerable<string> addedTokens, bool spaceAsMetaspace, string reason)
    {
        var runes = new HashSet<int>();
        foreach (var piece in vocabulary)
            if (Rune.DecodeFromUtf16(piece, out var rune, out var length) == System.Buffers.OperationStatus.Done && length == piece.Length)
                runes.Add(rune.Value);
        return new TextCoverage(AddedTokenRegex(addedTokens), null, runes, spaceAsMetaspace, reason);
    }

    /// <summary>Throws <see cref="UnmappableTextException"/> for the first character that cannot be mapped.</summary>
    public void Check(string text)
    {
        var start = 0;
        if (_addedTokens is not null)
        {
            foreach (var match in _addedTokens.EnumerateMatches(text))
            {
                CheckRange(text, start, match.Index);
                start = match.Index + match.Length;
            }
        }
        CheckRange(text, start, text.Length);
    }

    void CheckRange(string text, int start, int end)
    {
        Span<byte> utf8 = stackalloc byte[4];
        var i = start;
        while (i < end)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i, end - i), out var rune, out var length) != System.Buffers.OperationStatus.Done)
                throw new UnmappableTextException(text[i].ToString(), i, text[i], "a lone UTF-16 surrogate has no UTF-8 form");
            if (_missingBytes is not null)
            {
                var count = rune.EncodeToUtf8(utf8);
                for (var b = 0; b < count; b++)
                    if (_missingBytes[utf8[b]])
                        throw new UnmappableTextException(rune.ToString(), i, rune.Value, _reason + $" (no token for its UTF-8 byte 0x{utf8[b]:X2})");
            }
            else if (_singleRunePieces is not null)
            {
                var value = _spaceAsMetaspace && rune.Value == ' ' ? '\u2581' : rune.Value;
                if (!_singleRunePieces.Contains(value))
                    throw new UnmappableTextException(rune.ToString(), i, rune.Value, _reason);
            }
            i += length;
        }
    }

    /// <summary>Alternation of the added tokens, longest first, or null when there are none.</summary>
    public static Regex? AddedTokenRegex(IEnumerable<string> addedTokens)
    {
        var tokens = addedTokens.Where(t => t.Length > 0).OrderByDescending(t => t.Length).ThenBy(t => t, StringComparer.Ordinal).Select(Regex.Escape).ToList();
        return tokens.Count == 0 ? null : new Regex(string.Join("|", tokens), RegexOptions.CultureInvariant);
    }
}
