namespace GradSentry.IO;

/// <summary>
/// An output file (a report, a filtered copy, a shard result, the score cache) could not be written: the disk is full,
/// a file size limit was reached, the folder is read-only, ... An environment error, not a bug: <see cref="Path"/>
/// names the file, and what was there before is unchanged.
/// </summary>
public sealed class OutputWriteException : IOException
{
    /// <summary>Creates the error with a generic message.</summary>
    public OutputWriteException() : base("an output file could not be written.")
    {
        Path = string.Empty;
    }

    /// <summary>Creates the error with <paramref name="message"/>.</summary>
    public OutputWriteException(string message) : base(message)
    {
        Path = string.Empty;
    }

    /// <summary>Creates the error with <paramref name="message"/> and its cause.</summary>
    public OutputWriteException(string message, Exception innerException) : base(message, innerException)
    {
        Path = string.Empty;
    }

    /// <summary>Creates the error for <paramref name="path"/>: <c>cannot write 'PATH': REASON NOTE</c>.</summary>
    /// <param name="path">The file that could not be written (the destination, not a temporary name).</param>
    /// <param name="innerException">The system's error.</param>
    /// <param name="note">What happened to the file's previous content and what to do, appended to the message.</param>
    public OutputWriteException(string path, Exception innerException, string note)
        : base($"cannot write '{path}': {Reason(innerException)}. {note}", innerException)
    {
        Path = path;
    }

    /// <summary>The file that could not be written.</summary>
    public string Path { get; }

    /// <summary>Whether <paramref name="ex"/>, thrown by a write, flush, create or rename, is an environment failure of that write.</summary>
    public static bool IsWriteFailure(Exception ex) =>
        ex is IOException and not OutputWriteException || ex is UnauthorizedAccessException ||
        // .NET reports EFBIG (a file size limit, RLIMIT_FSIZE) from a write as an ArgumentOutOfRangeException.
        (ex is ArgumentOutOfRangeException && ex.Message.Contains("too large for the file system", StringComparison.Ordinal));

    static string Reason(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (ex is ArgumentOutOfRangeException) return "the file system refused to make the file larger (a file size limit was reached)";
        if (ex is UnauthorizedAccessException) return "permission denied";
        // "No space left on device : '/path/.name.123.tmp'": keep the reason, drop the temporary name.
        var message = ex.Message;
        var cut = message.IndexOf(" : '", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
