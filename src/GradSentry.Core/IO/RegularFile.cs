using System.Globalization;

namespace GradSentry.IO;

/// <summary>
/// Opens and reads input files only when they are regular files (symbolic links to regular files included), and
/// whole-file reads only up to a size limit. A FIFO would block the reader until a writer comes, and a device such as
/// <c>/dev/zero</c> never ends: both are refused with a message that says what the path is.
/// </summary>
public static class RegularFile
{
    /// <summary>No limit (streamed inputs such as datasets).</summary>
    public const long Unlimited = long.MaxValue;

    /// <summary>What is wrong with reading <paramref name="path"/> as an input of at most <paramref name="maxBytes"/> bytes, or null when nothing is.</summary>
    public static string? Problem(string path, long maxBytes = Unlimited)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Problem(FileFacts.Of(path), maxBytes);
    }

    /// <summary>Throws when <paramref name="path"/> is not a regular file of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="IOException">It is not a regular file, or it is larger than the limit (the message says which).</exception>
    public static void Check(string path, long maxBytes = Unlimited)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var facts = FileFacts.Of(path);
        if (facts.Kind == FileKind.Missing) throw new FileNotFoundException($"'{path}' does not exist.", path);
        if (Problem(facts, maxBytes) is { } problem) throw new IOException($"'{path}': {problem}");
    }

    /// <summary>Opens <paramref name="path"/> for reading after checking that it is a regular file (and again, on the open handle).</summary>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="IOException">It is not a regular file, is too large, or cannot be opened.</exception>
    public static FileStream OpenRead(string path, long maxBytes = Unlimited, int bufferSize = 4096, FileOptions options = FileOptions.None)
    {
        Check(path, maxBytes);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, options);
        try
        {
            // The path may have been swapped for something else between the check and the open.
            if (Problem(FileFacts.Of(stream), maxBytes) is { } problem) throw new IOException($"'{path}': {problem}");
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads all of <paramref name="path"/>, a regular file of at most <paramref name="maxBytes"/> bytes; never reads more than that.</summary>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="IOException">It is not a regular file, is too large, or cannot be read.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        using var stream = OpenRead(path, maxBytes, bufferSize: 1, FileOptions.SequentialScan);
        var length = stream.Length;
        using var buffer = new MemoryStream(length is > 0 and <= int.MaxValue ? (int)length : 0);
        var chunk = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            total += read;
            // The size on disk may grow while it is read: the limit holds for what is read, not only for what stat said.
            if (total > maxBytes) throw new IOException($"'{path}': {TooLarge(total, maxBytes)}");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>Reads all of <paramref name="path"/> as UTF-8 text (a byte-order mark is skipped), with the limits of <see cref="ReadAllBytes"/>.</summary>
    /// <exception cref="IOException">It is not a regular file, is too large, or cannot be read.</exception>
    public static string ReadAllText(string path, long maxBytes)
    {
        var bytes = ReadAllBytes(path, maxBytes);
        ReadOnlySpan<byte> span = bytes;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) span = span[3..];
        return System.Text.Encoding.UTF8.GetString(span);
    }

    static string? Problem(FileFacts facts, long maxBytes) => facts.Kind switch
    {
        FileKind.Missing => "it does not exist.",
        FileKind.Regular when facts.Size > maxBytes => TooLarge(facts.Size, maxBytes),
        FileKind.Regular => null,
        var kind => $"it is {FileFacts.Describe(kind)}, not a regular file; GradSentry reads only regular files (a pipe or device may block or never end). Save the content to a file and pass that.",
    };

    static string TooLarge(long size, long maxBytes) => string.Create(CultureInfo.InvariantCulture,
        $"it is {size} bytes or more, above the {maxBytes}-byte limit for this kind of file; it is not the file it should be.");
}
