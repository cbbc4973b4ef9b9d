using System.Globalization;

namespace GradSentry.Tokenization;

/// <summary>
/// The text holds a character the tokenizer cannot map to any token: it has no token for it, no unknown
/// token and no byte fallback (or the character is a lone UTF-16 surrogate, which has no UTF-8 form).
/// </summary>
public sealed class UnmappableTextException : ArgumentException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public UnmappableTextException() : base("The text holds a character the tokenizer cannot map.") { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public UnmappableTextException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    public UnmappableTextException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for the character at <paramref name="index"/> of the encoded text.</summary>
    /// <param name="character">The character as it appears in the text (two UTF-16 units for a supplementary character).</param>
    /// <param name="index">UTF-16 index of the character in the text passed to <see cref="HfTokenizer.EncodeText"/>.</param>
    /// <param name="codePoint">The Unicode code point (a lone surrogate's own value for invalid text).</param>
    /// <param name="source">Which tokenizer file could not map it, and why.</param>
    public UnmappableTextException(string character, int index, int codePoint, string source)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"Cannot tokenize the character '{Printable(character)}' (U+{codePoint:X4}) at index {index}: {source}."), "text")
    {
        Character = character;
        Index = index;
        CodePoint = codePoint;
    }

    /// <summary>The character that could not be mapped.</summary>
    public string? Character { get; }

    /// <summary>Its UTF-16 index in the text.</summary>
    public int Index { get; } = -1;

    /// <summary>Its Unicode code point.</summary>
    public int CodePoint { get; } = -1;

    static string Printable(string character) =>
        character.Length == 1 && (char.IsControl(character[0]) || char.IsSurrogate(character[0])) ? "\\u" + ((int)character[0]).ToString("X4", CultureInfo.InvariantCulture) : character;
}
