using System.Globalization;

namespace GradSentry.Tool.Diagnostics;

/// <summary>One finding, located the way compilers locate them.</summary>
/// <param name="Id">One of <see cref="DiagnosticIds"/>.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="File">The file it is about (a dataset, a model directory or a baseline).</param>
/// <param name="Line">1-based line, or 0 when it concerns the whole file.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record Diagnostic(string Id, DiagnosticSeverity Severity, string File, long Line, long Column, string Message)
{
    /// <summary>A diagnostic with the ID's default severity.</summary>
    public static Diagnostic Create(string id, string file, long line, long column, string message) =>
        new(id, DiagnosticIds.IsErrorByDefault(id) ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, file, line, column, message);

    /// <summary><c>error</c> or <c>warning</c>.</summary>
    public string SeverityText => Severity == DiagnosticSeverity.Error ? "error" : "warning";

    /// <summary>
    /// The canonical MSBuild form, <c>file(line,col): error GS1001: message</c> (or <c>file: error ...</c> without a
    /// line), which MSBuild's ToolTask and Exec turn into build errors and warnings.
    /// </summary>
    public string ToCanonicalString()
    {
        var where = Line <= 0 ? File
            : string.Create(CultureInfo.InvariantCulture, $"{File}({Line},{Math.Max(1, Column)})");
        // A line break would end the canonical line early: keep messages on one line.
        var message = Message.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
        return $"{where}: {SeverityText} {Id}: {message}";
    }
}
