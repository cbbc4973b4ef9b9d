using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace GradSentry.Data;

/// <summary>One physical line of a file.</summary>
/// <param name="Text">The decoded line without its terminator.</param>
/// <param name="Number">1-based line number.</param>
/// <param name="ByteOffset">Absolute offset of the line's first byte.</param>
/// <param name="ByteLength">Length of the line in bytes, without the terminator.</param>
/// <param name="Terminator">The terminator as written: <c>"\n"</c>, <c>"\r\n"</c>, <c>"\r"</c> (only at the end of the file) or <c>""</c>.</param>
readonly record struct PhysicalLine(string Text, long Number, long ByteOffset, int ByteLength, string Terminator);

/// <summary>
/// Streams the lines of a UTF-8 file with constant memory: a fixed read buffer plus one line buffer that never
/// grows beyond the line limit. A UTF-8 byte-order mark is skipped; UTF-16/32 marks, invalid UTF-8, an empty file
/// and over-long lines are <see cref="DatasetException"/>s naming the file and line.
/// </summary>
sealed class Utf8LineReader : IDisposable
{
    const int ReadBufferBytes = 64 * 1024;
    const int InitialLineBytes = 4 * 1024;

    readonly Stream stream;
    readonly string file;
    readonly int maxLineBytes;
    readonly byte[] buffer = new byte[ReadBufferBytes];
    int position;
    int length;
    bool endOfStream;
    byte[] line = new byte[InitialLineBytes];
    int lineLength;
    long offset;
    long number;
    bool started;

    public Utf8LineReader(Stream stream, string file, int maxLineBytes)
    {
        this.stream = stream;
        this.file = file;
        this.maxLineBytes = maxLineBytes;
    }

    /// <summary>The bytes of the line last returned (without terminator); valid until the next read.</summary>
    public ReadOnlyMemory<byte> LineBytes => line.AsMemory(0, lineLength);

    /// <summary>Reads the next line; false at the end of the file.</summary>
    public bool TryRead(out PhysicalLine result)
    {
        if (!started) Start();
        lineLength = 0;
        var start = offset;
        var sawNewline = false;
        while (true)
        {
            if (position == length && !Fill()) break;
            var span = buffer.AsSpan(position, length - position);
            var newline = span.IndexOf((byte)'\n');
            var take = newline < 0 ? span.Length : newline;
            Append(span[..take], start);
            position += take;
            offset += take;
            if (newline >= 0)
            {
                position++;
                offset++;
                sawNewline = true;
                break;
            }
        }
        if (!sawNewline && lineLength == 0)
        {
            result = default;
            return false;
        }
        number++;
        var terminator = sawNewline ? "\n" : "";
        if (lineLength > 0 && line[lineLength - 1] == (byte)'\r')
        {
            lineLength--;
            terminator = sawNewline ? "\r\n" : "\r";
        }
        if (lineLength > maxLineBytes) throw TooLong(number, start);
        result = new PhysicalLine(Decode(line.AsSpan(0, lineLength), number, start), number, start, lineLength, terminator);
        return true;
    }

    public void Dispose() => stream.Dispose();

    void Start()
    {
        started = true;
        while (length < 4 && !endOfStream) FillMore();
        if (length == 0)
            throw new DatasetException(file, 0, null, "the file is empty.", "Point the reader at a file that holds at least one row.");
        var head = buffer.AsSpan(0, length);
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            position = 3;
            offset = 3;
            if (length == 3) // the loop above read to the end, so nothing follows the mark
                throw new DatasetException(file, 0, null, "the file holds only a UTF-8 byte-order mark.", "Point the reader at a file that holds at least one row.");
            return;
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
            throw new DatasetException(file, 1, 1, "the file is UTF-16 or UTF-32 encoded (it starts with that byte-order mark); only UTF-8 is read.",
                "Re-save it as UTF-8, e.g. `iconv -f UTF-16 -t UTF-8 in > out`.") { ByteOffset = 0 };
    }

    /// <summary>Refills the consumed buffer; false at the end of the stream.</summary>
    bool Fill()
    {
        position = 0;
        length = 0;
        if (endOfStream) return false;
        FillMore();
        return length > 0;
    }

    void FillMore()
    {
        var read = stream.Read(buffer, length, buffer.Length - length);
        if (read == 0) endOfStream = true;
        length += read;
    }

    void Append(ReadOnlySpan<byte> bytes, long start)
    {
        if (bytes.IsEmpty) return;
        var needed = lineLength + bytes.Length;
        // One extra byte lets a "\r" before "\n" in; the limit is checked again after it is stripped.
        if (needed > maxLineBytes + 1L) throw TooLong(number + 1, start);
        if (needed > line.Length)
        {
            var size = (int)Math.Min(Math.Max(line.Length * 2L, needed), maxLineBytes + 1L);
            Array.Resize(ref line, size);
        }
        bytes.CopyTo(line.AsSpan(lineLength));
        lineLength = needed;
    }

    DatasetException TooLong(long lineNumber, long start) =>
        new(file, lineNumber, null,
            string.Create(CultureInfo.InvariantCulture, $"the line is longer than the limit of {maxLineBytes} bytes."),
            "Check that the file really has one record per line (a missing line break or an unterminated quote joins rows), or raise the limit (ReaderOptions.MaxLineBytes).")
        { ByteOffset = start };

    string Decode(ReadOnlySpan<byte> bytes, long lineNumber, long start)
    {
        if (Utf8.IsValid(bytes)) return Encoding.UTF8.GetString(bytes);
        var bad = 0;
        while (bad < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[bad..], out _, out var consumed) != System.Buffers.OperationStatus.Done) break;
            bad += consumed;
        }
        var column = Encoding.UTF8.GetCharCount(bytes[..bad]) + 1;
        throw new DatasetException(file, lineNumber, column,
            string.Create(CultureInfo.InvariantCulture, $"invalid UTF-8 at byte offset {start + bad} (byte 0x{bytes[bad]:X2}); only UTF-8 is read."),
            "Re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 in > out` for Latin-1 text).")
        { ByteOffset = start + bad };
    }
}
