using System.Globalization;

namespace GradSentry.Checkpoints;

/// <summary>
/// A checkpoint file or directory is malformed, unsafe or does not fit what it is loaded into.
/// The message names the file, the tensor when one is involved, and how to fix the problem where possible.
/// </summary>
/// <remarks>
/// Derives from <see cref="IOException"/>: <see cref="InvalidDataException"/> is sealed in .NET, so it cannot be the base.
/// Catch <see cref="IOException"/> (or this type) to handle bad input files.
/// </remarks>
public class CheckpointException : IOException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public CheckpointException() : base("invalid checkpoint") { }

    /// <summary>Creates an exception with <paramref name="message"/> as given.</summary>
    public CheckpointException(string message) : base(message) { }

    /// <summary>Creates an exception with <paramref name="message"/> as given and an inner cause.</summary>
    public CheckpointException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>
    /// Creates an exception whose message is <c>checkpoint 'FILE', tensor 'NAME': DETAIL</c>
    /// (the tensor part only when <paramref name="tensorName"/> is given).
    /// </summary>
    /// <param name="file">The checkpoint file or directory.</param>
    /// <param name="tensorName">The tensor concerned, if any.</param>
    /// <param name="detail">What is wrong and, where possible, how to fix it.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public CheckpointException(string? file, string? tensorName, string detail, Exception? innerException = null)
        : base(Compose(file, tensorName, detail), innerException)
    {
        File = file;
        TensorName = tensorName;
    }

    /// <summary>The checkpoint file (or directory) concerned, if known.</summary>
    public string? File { get; }

    /// <summary>The tensor concerned, if any.</summary>
    public string? TensorName { get; }

    static string Compose(string? file, string? tensorName, string detail)
    {
        var where = file is null ? "checkpoint" : string.Create(CultureInfo.InvariantCulture, $"checkpoint '{file}'");
        if (tensorName is not null) where += string.Create(CultureInfo.InvariantCulture, $", tensor '{tensorName}'");
        return where + ": " + detail;
    }
}
