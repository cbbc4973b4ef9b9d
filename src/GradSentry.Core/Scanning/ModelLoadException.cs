namespace GradSentry.Scanning;

/// <summary>
/// The model of a scan could not be loaded: a missing or malformed directory, checkpoint, config or tokenizer. The
/// message is the cause's (it names the file and, for tensors, the tensor); <see cref="ModelDirectory"/> says which model.
/// </summary>
public sealed class ModelLoadException : IOException
{
    /// <summary>Creates the error.</summary>
    public ModelLoadException()
    {
        ModelDirectory = string.Empty;
    }

    /// <summary>Creates the error with a message.</summary>
    public ModelLoadException(string message) : base(message)
    {
        ModelDirectory = string.Empty;
    }

    /// <summary>Creates the error with a message and its cause.</summary>
    public ModelLoadException(string message, Exception innerException) : base(message, innerException)
    {
        ModelDirectory = string.Empty;
    }

    /// <summary>Creates the error for <paramref name="modelDirectory"/> from its cause.</summary>
    public ModelLoadException(string modelDirectory, string message, Exception innerException)
        : base(message, innerException)
    {
        ModelDirectory = modelDirectory;
    }

    /// <summary>The model directory as given.</summary>
    public string ModelDirectory { get; }
}
