namespace GradSentry.Tool.Output;

/// <summary>
/// Copies the physical lines of a text file whose numbers a predicate keeps, byte for byte with their own line
/// terminators, streaming. Lines are numbered from 1 and end at <c>\n</c>, as the dataset reader counts them.
/// </summary>
public static class LineFilter
{
    /// <summary>The UTF-8 byte-order mark.</summary>
    static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Copies the lines of <paramref name="input"/> for which <paramref name="keep"/> is true to <paramref name="output"/>.
    /// A leading byte-order mark is dropped unless <paramref name="keepBom"/>. Returns whether the last byte written
    /// ended a line (so the caller can separate the next file's lines).
    /// </summary>
    public static bool Copy(string input, Stream output, Func<long, bool> keep, bool keepBom, bool atLineStart)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(keep);
        using var stream = GradSentry.IO.RegularFile.OpenRead(input, GradSentry.IO.RegularFile.Unlimited, 1 << 16, FileOptions.SequentialScan);
        var buffer = new byte[1 << 16];
        long line = 1;
        var first = true;
        var ended = atLineStart;
        var lineStart = true;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            if (first)
            {
                first = false;
                if (span.StartsWith(Bom))
                {
                    if (keepBom) output.Write(Bom);
                    span = span[Bom.Length..];
                }
            }
            while (span.Length > 0)
            {
                var newline = span.IndexOf((byte)'\n');
                var piece = newline < 0 ? span : span[..(newline + 1)];
                if (keep(line) && piece.Length > 0)
                {
                    // The previous file ended without a line break: separate its last line from this one.
                    if (!ended && lineStart) output.WriteByte((byte)'\n');
                    output.Write(piece);
                    ended = piece[^1] == (byte)'\n';
                }
                span = span[piece.Length..];
                lineStart = newline >= 0;
                if (newline >= 0) line++;
            }
        }
        return ended;
    }
}
