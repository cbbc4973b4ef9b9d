using System.Globalization;

namespace GradSentry.Data;

/// <summary>
/// A dataset (or template file) that cannot be read as given. The message names the place the way
/// compilers do (<c>file:line:column: problem fix</c>) and always says how to fix it.
/// </summary>
/// <remarks>
/// <see cref="InvalidDataException"/> is sealed, so this derives from <see cref="IOException"/>; callers that map input
/// errors to an exit code catch <see cref="DatasetException"/> (and <see cref="InvalidDataException"/> for other readers).
/// </remarks>
public sealed class DatasetException : IOException
{
    /// <summary>An error with a generic message (prefer the located constructor).</summary>
    public DatasetException() : this("The dataset could not be read.") { }

    /// <summary>An error with the given message and no location.</summary>
    public DatasetException(string message) : base(message)
    {
        File = "";
        Problem = message;
        Fix = "";
    }

    /// <summary>An error with the given message, caused by <paramref name="innerException"/>, and no location.</summary>
    public DatasetException(string message, Exception innerException) : base(message, innerException)
    {
        File = "";
        Problem = message;
        Fix = "";
    }

    /// <summary>An error at a place in a file.</summary>
    /// <param name="file">The file, as the user named it.</param>
    /// <param name="line">1-based physical line, or 0 when the error concerns the whole file.</param>
    /// <param name="column">1-based column (UTF-16 code units) within that line, when known.</param>
    /// <param name="problem">What is wrong, one sentence.</param>
    /// <param name="fix">What to do about it, one sentence.</param>
    /// <param name="innerException">The underlying parser error, if any.</param>
    public DatasetException(string file, long line, long? column, string problem, string fix, Exception? innerException = null)
        : base(Format(file, line, column, problem, fix), innerException)
    {
        ArgumentNullException.ThrowIfNull(file);
        File = file;
        Line = line;
        Column = column;
        Problem = problem;
        Fix = fix;
    }

    /// <summary>The file the error is in (empty when unknown).</summary>
    public string File { get; }

    /// <summary>1-based physical line; 0 when the error concerns the whole file.</summary>
    public long Line { get; }

    /// <summary>1-based column (UTF-16 code units) within <see cref="Line"/>, when known.</summary>
    public long? Column { get; }

    /// <summary>Absolute byte offset in the file (counting a byte-order mark), when known.</summary>
    public long? ByteOffset { get; init; }

    /// <summary>The record field involved, when the error is about one.</summary>
    public string? Field { get; init; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    /// <summary>How to fix it.</summary>
    public string Fix { get; }

    static string Format(string file, long line, long? column, string problem, string fix)
    {
        var where = line <= 0 ? file
            : column is { } c ? string.Create(CultureInfo.InvariantCulture, $"{file}:{line}:{c}")
            : string.Create(CultureInfo.InvariantCulture, $"{file}:{line}");
        return string.IsNullOrEmpty(fix) ? $"{where}: {problem}" : $"{where}: {problem} {fix}";
    }
}
