namespace GradSentry.Tokenization;

/// <summary>
/// A tokenizer file of a model directory is missing, malformed or uses a feature that cannot be mapped
/// onto Microsoft.ML.Tokenizers. The message always names the file (or, when none was found, the files
/// that were looked for).
/// </summary>
/// <remarks>
/// <see cref="InvalidDataException"/> is sealed, so this derives from <see cref="IOException"/>: catch
/// <see cref="TokenizerLoadException"/> (or <see cref="IOException"/>) for tokenizer-file problems.
/// </remarks>
public sealed class TokenizerLoadException : IOException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public TokenizerLoadException() : base("The tokenizer could not be loaded.") { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public TokenizerLoadException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    public TokenizerLoadException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for <paramref name="filePath"/>; the message starts with the path.</summary>
    public TokenizerLoadException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The file the problem was found in, or the model directory when no tokenizer file exists.</summary>
    public string? FilePath { get; }
}
