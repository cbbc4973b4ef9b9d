using GradSentry.Scoring;
using System.Globalization;
using GradSentry.Tool.Reports;

namespace GradSentry.Tool.Formatters;

/// <summary>One CSV line per row (RFC 4180 quoting, invariant numbers), for spreadsheets and pandas.</summary>
public sealed class CsvFormatter : IReportFormatter
{
    /// <summary>The header, in column order.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["file", "row", "line", "GradientSpectralEntropy", "score", "detector", "group", "answerTokens", "IsSuspect", "flagged", "baselined", "failed", "loss", "gradientNorm", "promptTokensDropped", "rowHash", "reason", "warnings"];

    /// <inheritdoc />
    public string Name => "csv";

    /// <inheritdoc />
    public string FileName => "gradsentry.csv";

    /// <inheritdoc />
    public void Write(ScanReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var writer = Utf8.Writer(output);
        writer.WriteLine(string.Join(',', Columns));
        // A CSV has no place for a note about the whole scan, so every row carries the scan's warnings (the demo model):
        // whoever loads the file into a spreadsheet or pandas sees them next to every score.
        var warnings = string.Join(" | ", report.Warnings);
        var rows = report.Result.Rows;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            string[] cells =
            [
                row.File,
                Invariant(row.Row),
                Invariant(row.Line),
                // GradientSpectralEntropy is always the paper's score; "score" is what the detector decided on.
                Number(row.Score.Kind == ScoreKind.Reference || double.IsNaN(row.Score.ReferenceScore) ? row.Score.Score : row.Score.ReferenceScore),
                Number(row.Score.Score),
                ScoreKinds.Name(report.Result.Options.Scoring.Score),
                report.GroupOf(i) is { } group ? Invariant(group.Number) : "",
                Invariant(row.Score.AnswerTokens),
                Bool(report.IsSuspect(i)),
                Bool(row.Verdict.Flagged),
                Bool(report.IsBaselined(i)),
                Bool(row.Verdict.Failed),
                Number(row.Score.Loss),
                Number(row.Score.GradientNorm),
                Invariant(row.Score.PromptTokensDropped),
                row.RowHash,
                row.Verdict.Reason,
                warnings,
            ];
            writer.WriteLine(string.Join(',', cells.Select(Quote)));
        }
    }

    /// <summary>Quotes a cell when it holds a comma, quote, line break or leading/trailing blank.</summary>
    public static string Quote(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var needs = cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (cell.Length > 0 && (char.IsWhiteSpace(cell[0]) || char.IsWhiteSpace(cell[^1])));
        return needs ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
    }

    static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    static string Bool(bool value) => value ? "true" : "false";

    static string Number(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "";
}
