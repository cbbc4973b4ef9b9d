using System.Text.Json;
using GradSentry.Tool.Diagnostics;
using GradSentry.Tool.Reports;

namespace GradSentry.Tool.Formatters;

/// <summary>
/// SARIF 2.1.0: one run, the tool's rules with help URIs, and one result per diagnostic (each suspect row, the gate,
/// rows that could not be scored, stale baseline entries) with a physical location (file and line). Flagged rows a
/// baseline accepts are results with an external suppression carrying the reviewer's reason.
/// </summary>
public sealed class SarifFormatter : IReportFormatter
{
    /// <summary>The SARIF version written.</summary>
    public const string Version = "2.1.0";

    /// <summary>The schema the output conforms to.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <inheritdoc />
    public string Name => "sarif";

    /// <inheritdoc />
    public string FileName => "gradsentry.sarif";

    /// <inheritdoc />
    public void Write(ScanReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("$schema", SchemaUri);
        w.WriteString("version", Version);
        w.WriteStartArray("runs");
        w.WriteStartObject();

        w.WriteStartObject("tool");
        w.WriteStartObject("driver");
        w.WriteString("name", "GradSentry");
        w.WriteString("version", ScanReport.ToolVersion);
        w.WriteString("semanticVersion", ScanReport.ToolVersion);
        w.WriteString("informationUri", "https://github.com/gradsentry/GradSentry.MLNet");
        w.WriteStartArray("rules");
        foreach (var id in DiagnosticIds.All)
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("name", string.Concat(DiagnosticIds.Title(id).Split(' ').Select(word => char.ToUpperInvariant(word[0]) + word[1..])));
            w.WriteStartObject("shortDescription");
            w.WriteString("text", DiagnosticIds.Title(id));
            w.WriteEndObject();
            w.WriteString("helpUri", DiagnosticIds.HelpLink(id));
            w.WriteStartObject("defaultConfiguration");
            w.WriteString("level", DiagnosticIds.IsErrorByDefault(id) ? "error" : "warning");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartArray("invocations");
        w.WriteStartObject();
        // Rows that could not be scored leave the scan incomplete: the run did not succeed (exit code 1).
        w.WriteBoolean("executionSuccessful", report.Result.Summary.Failed == 0);
        // Why the run did not succeed, next to the scan-wide warnings.
        var failed = report.Result.Summary.Failed;
        var notifications = report.Warnings.Select(text => ("warning", text)).ToList();
        if (failed > 0)
            notifications.Add(("error", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{failed} row{(failed == 1 ? "" : "s")} could not be scored (GS2003): the scan is incomplete and the gate failed ({report.GateReason}).")));
        if (notifications.Count > 0)
        {
            w.WriteStartArray("toolExecutionNotifications");
            foreach (var (level, text) in notifications)
            {
                w.WriteStartObject();
                w.WriteString("level", level);
                w.WriteStartObject("message");
                w.WriteString("text", text);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndArray();

        w.WriteStartArray("results");
        foreach (var d in report.Diagnostics)
        {
            Result(w, d.Id, d.SeverityText, d.Message, d.File, d.Line, null);
            w.FlushWhenFull();
        }
        var rows = report.Result.Rows;
        for (var i = 0; i < rows.Count; i++)
        {
            if (report.BaselineEntryOf(i) is not { } entry) continue;
            var row = rows[i];
            Result(w, DiagnosticIds.SuspectRow, "warning",
                $"suspect row {row.Row}: score {row.Score.Score:0.0000} above the threshold; accepted in the baseline by {entry.ReviewedBy}.",
                row.File, row.Line, $"{entry.ReviewedBy}: {entry.Reason}");
            w.FlushWhenFull();
        }
        w.WriteEndArray();

        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
    }

    static void Result(Utf8JsonWriter w, string id, string level, string message, string file, long line, string? suppression)
    {
        w.WriteStartObject();
        w.WriteString("ruleId", id);
        w.WriteNumber("ruleIndex", DiagnosticIds.All.ToList().IndexOf(id));
        w.WriteString("level", level);
        w.WriteStartObject("message");
        w.WriteString("text", message);
        w.WriteEndObject();
        w.WriteStartArray("locations");
        w.WriteStartObject();
        w.WriteStartObject("physicalLocation");
        w.WriteStartObject("artifactLocation");
        w.WriteString("uri", ToUri(file));
        w.WriteEndObject();
        if (line > 0)
        {
            w.WriteStartObject("region");
            w.WriteNumber("startLine", line);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        if (suppression is not null)
        {
            w.WriteStartArray("suppressions");
            w.WriteStartObject();
            w.WriteString("kind", "external");
            w.WriteString("justification", suppression);
            w.WriteEndObject();
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>An absolute path as a <c>file://</c> URI; a relative one as a relative URI reference with <c>/</c> separators.</summary>
    public static string ToUri(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Path.IsPathRooted(path)) return new Uri(Path.GetFullPath(path)).AbsoluteUri;
        var segments = path.Replace('\\', '/').Split('/');
        return string.Join('/', segments.Select(Uri.EscapeDataString));
    }
}
