using System.Text.RegularExpressions;

namespace GradSentry.Tool.Commands;

/// <summary>
/// Strips what .NET adds to exception messages for programmers, which a user of the tool cannot act on:
/// <c> (Parameter 'options')</c>, and System.Text.Json's <c>Path: $.x | LineNumber: 0 | BytePositionInLine: 2.</c>
/// (the file and line are already in the message where they matter).
/// </summary>
public static partial class UserMessages
{
    /// <summary><paramref name="message"/> without .NET's parameter names and JSON reader positions.</summary>
    public static string WithoutDotNetInternals(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var cleaned = ParameterName().Replace(message, "");
        cleaned = JsonPosition().Replace(cleaned, "");
        return cleaned;
    }

    [GeneratedRegex(@" \(Parameter '[^']*'\)")]
    private static partial Regex ParameterName();

    [GeneratedRegex(@" ?(Path: \S* \| )?LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex JsonPosition();
}
