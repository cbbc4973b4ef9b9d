using System.Globalization;
using System.Text.RegularExpressions;

namespace GradSentry.Build;

/// <summary>
/// One line the tool printed in MSBuild's canonical form, <c>origin(line,col): error GS1001: text</c>, where the
/// location and the origin are optional (<c>origin: warning GS3001: text</c>, <c>error GS2002: text</c>).
/// Only GradSentry codes (<c>GS</c> and four digits) are recognised; any other line is left to MSBuild.
/// </summary>
/// <param name="File">The origin (a dataset, a model directory or a baseline), or empty.</param>
/// <param name="Line">1-based line, or 0 when the finding concerns the whole file.</param>
/// <param name="Column">1-based column, or 0.</param>
/// <param name="EndLine">Last line of a range, or 0.</param>
/// <param name="EndColumn">Last column of a range, or 0.</param>
/// <param name="Severity">The severity the tool reported.</param>
/// <param name="Code">The diagnostic ID, e.g. <c>GS1001</c>.</param>
/// <param name="Message">The text after the code.</param>
internal sealed record CanonicalDiagnostic(
    string File, int Line, int Column, int EndLine, int EndColumn, ReportedSeverity Severity, string Code, string Message)
{
    // origin: anything up to an optional "(location)" right before ": error|warning GSnnnn:".
    // location: (line) (line,col) (line-endLine) (line,col-endCol) (line,col,endLine,endCol).
    static readonly Regex Pattern = new(
        @"^\s*(?:(?<origin>.*?)(?:\((?<location>[0-9,\- ]+)\))?\s*:\s+)?(?<severity>error|warning)\s+(?<code>GS[0-9]{4})\s*:\s?(?<message>.*?)\s*$",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture,
        TimeSpan.FromSeconds(1));

    /// <summary>Parses one line; null when it is not a GradSentry diagnostic.</summary>
    public static CanonicalDiagnostic? TryParse(string? line)
    {
        if (string.IsNullOrWhiteSpace(line) || !line.Contains(" GS", StringComparison.Ordinal))
        {
            return null;
        }

        var match = Pattern.Match(line);
        if (!match.Success)
        {
            return null;
        }

        var (lineNumber, column, endLine, endColumn) = ParseLocation(match.Groups["location"].Value);
        if (lineNumber < 0)
        {
            return null;
        }

        var severity = match.Groups["severity"].Value == "error" ? ReportedSeverity.Error : ReportedSeverity.Warning;
        return new CanonicalDiagnostic(
            match.Groups["origin"].Value.Trim(),
            lineNumber,
            column,
            endLine,
            endColumn,
            severity,
            match.Groups["code"].Value,
            match.Groups["message"].Value);
    }

    /// <summary>Splits a location; a negative line marks a location that is not one.</summary>
    static (int Line, int Column, int EndLine, int EndColumn) ParseLocation(string location)
    {
        if (location.Length == 0)
        {
            return (0, 0, 0, 0);
        }

        var parts = location.Split(',');
        if (parts.Length == 1)
        {
            // (line) or (line-endLine)
            var range = parts[0].Split('-');
            return range.Length switch
            {
                1 when TryInt(range[0], out var l) => (l, 0, 0, 0),
                2 when TryInt(range[0], out var l) && TryInt(range[1], out var e) => (l, 0, e, 0),
                _ => (-1, 0, 0, 0),
            };
        }

        if (parts.Length == 2)
        {
            // (line,col) or (line,col-endCol)
            var columns = parts[1].Split('-');
            if (!TryInt(parts[0], out var l))
            {
                return (-1, 0, 0, 0);
            }

            return columns.Length switch
            {
                1 when TryInt(columns[0], out var c) => (l, c, 0, 0),
                2 when TryInt(columns[0], out var c) && TryInt(columns[1], out var ec) => (l, c, l, ec),
                _ => (-1, 0, 0, 0),
            };
        }

        if (parts.Length == 4 && TryInt(parts[0], out var l4) && TryInt(parts[1], out var c4)
            && TryInt(parts[2], out var el4) && TryInt(parts[3], out var ec4))
        {
            return (l4, c4, el4, ec4);
        }

        return (-1, 0, 0, 0);
    }

    static bool TryInt(string text, out int value)
    {
        // Lines past int.MaxValue are reported as int.MaxValue rather than dropped.
        if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var wide))
        {
            value = (int)Math.Min(wide, int.MaxValue);
            return true;
        }

        value = 0;
        return false;
    }
}
