using System.Globalization;

namespace GradSentry.Templating;

/// <summary>
/// A template that cannot be parsed or rendered: unknown syntax, an unterminated tag, an unknown filter, a type error.
/// <see cref="Line"/> and <see cref="Column"/> point into the template text.
/// </summary>
public class JinjaException : Exception
{
    /// <summary>An error without a position.</summary>
    public JinjaException() : this("The template is invalid.") { }

    /// <summary>An error without a position.</summary>
    public JinjaException(string message) : base(message) => Problem = message;

    /// <summary>An error without a position, caused by <paramref name="innerException"/>.</summary>
    public JinjaException(string message, Exception innerException) : base(message, innerException) => Problem = message;

    /// <summary>An error at a place in the template.</summary>
    /// <param name="problem">What is wrong, one sentence.</param>
    /// <param name="line">1-based line in the template text.</param>
    /// <param name="column">1-based column (UTF-16 code units) in that line.</param>
    public JinjaException(string problem, int line, int column)
        : base(string.Create(CultureInfo.InvariantCulture, $"line {line}, column {column}: {problem}"))
    {
        Problem = problem;
        Line = line;
        Column = column;
    }

    /// <summary>What is wrong, without the position.</summary>
    public string Problem { get; }

    /// <summary>1-based line in the template text; 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column in <see cref="Line"/>; 0 when unknown.</summary>
    public int Column { get; }
}
