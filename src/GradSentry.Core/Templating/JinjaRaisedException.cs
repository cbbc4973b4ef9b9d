namespace GradSentry.Templating;

/// <summary>
/// The template itself refused its input with <c>raise_exception('...')</c>, the way Hugging Face chat templates reject
/// conversations they do not support (a system message for Gemma, roles that do not alternate for Mistral).
/// <see cref="JinjaException.Problem"/> is the template's own message.
/// </summary>
public sealed class JinjaRaisedException : JinjaException
{
    /// <summary>Creates the exception.</summary>
    public JinjaRaisedException() : this("raise_exception was called.") { }

    /// <summary>Creates the exception with the template's message.</summary>
    public JinjaRaisedException(string message) : base(message) { }

    /// <summary>Creates the exception with the template's message and a cause.</summary>
    public JinjaRaisedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with the template's message at a place in the template.</summary>
    public JinjaRaisedException(string message, int line, int column) : base(message, line, column) { }
}
