namespace GradSentry;

/// <summary>
/// TorchSharp's native libraries could not be loaded on this machine. The message gives the dynamic loader's own
/// reason (a missing library, or a missing symbol version such as <c>GLIBCXX_3.4.32</c>), not TorchSharp's generic
/// "doesn't contain a reference to libtorch-cpu-linux-x64".
/// </summary>
public sealed class TorchLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TorchLoadException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TorchLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception TorchSharp threw.</summary>
    public TorchLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
