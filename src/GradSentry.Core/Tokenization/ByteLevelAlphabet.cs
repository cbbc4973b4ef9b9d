namespace GradSentry.Tokenization;

/// <summary>
/// The GPT-2 byte-to-character table that byte-level BPE vocabularies are written in (Hugging Face
/// <c>bytes_to_unicode</c>): printable Latin-1 bytes stand for themselves, the other 68 bytes map to
/// U+0100 and up (space is <c>Ġ</c>, newline <c>Ċ</c>). Used to check that every byte of a text has a token.
/// </summary>
internal static class ByteLevelAlphabet
{
    static readonly char[] ByteToChar = Build();

    /// <summary>The vocabulary character that stands for <paramref name="value"/>.</summary>
    public static char CharFor(byte value) => ByteToChar[value];

    static char[] Build()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }
}
