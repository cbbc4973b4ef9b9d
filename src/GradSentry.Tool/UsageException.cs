namespace GradSentry.Tool;

/// <summary>A usage or input error whose message is complete and is shown as is (exit code 1).</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the error.</summary>
    public UsageException()
    {
    }

    /// <summary>Creates the error with the message shown to the user.</summary>
    public UsageException(string message) : base(message)
    {
    }

    /// <summary>Creates the error with the message shown to the user and its cause.</summary>
    public UsageException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The diagnostic ID to report it under, when it is one (e.g. GS2001); null for plain usage errors.</summary>
    public string? DiagnosticId { get; init; }
}
