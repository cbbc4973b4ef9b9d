using System.Text.Json;
using System.Text.Json.Serialization;
using GradSentry.Tool.Diagnostics;
using GradSentry.Tool.Reports;

namespace GradSentry.Tool.Formatters;

/// <summary>
/// The machine-readable report: <c>{"tool","model","options","threshold","statistics","success","samples",...}</c>.
/// Everything but <c>timing</c> is deterministic for the same inputs and options.
/// </summary>
public sealed class JsonFormatter : IReportFormatter
{
    static readonly JsonSerializerOptions DetailsOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <inheritdoc />
    public string Name => "json";

    /// <inheritdoc />
    public string FileName => "gradsentry.json";

    /// <inheritdoc />
    public void Write(ScanReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        var result = report.Result;
        var summary = result.Summary;
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();

        w.WriteStartObject("tool");
        w.WriteString("name", "gradsentry");
        w.WriteString("version", ScanReport.ToolVersion);
        w.WriteEndObject();

        ModelJson.Write(w, result.ModelDirectory, result.ModelHash, result.ProbeName, result.Options.DType);

        w.WriteStartArray("files");
        foreach (var file in result.Files) w.WriteStringValue(file);
        w.WriteEndArray();

        var o = report.Options;
        w.WriteStartObject("options");
        w.WriteString("model", o.Model);
        w.WriteString("target", o.Target);
        w.WriteNumber("rank", o.Rank);
        w.WriteNumber("slice", o.Slice);
        w.WriteString("score", o.Score);
        w.WriteString("threshold", o.Threshold);
        w.WriteNumber("maxPoisonFraction", o.MaxPoisonFraction);
        w.WriteString("device", o.Device);
        w.WriteString("dtype", o.DType);
        w.WriteNumber("batchSize", o.BatchSize);
        w.WriteNumber("window", o.Window);
        if (o.MaxLength is { } maxLength) w.WriteNumber("maxLength", maxLength);
        else w.WriteNull("maxLength");
        w.WriteString("template", o.Template);
        w.WriteString("promptField", o.PromptField);
        w.WriteString("responseField", o.ResponseField);
        w.WriteString("inputFormat", o.InputFormat);
        w.WriteString("baseline", o.Baseline);
        w.WriteEndObject();

        w.WriteStartObject("threshold");
        Number(w, "value", summary.Threshold.Value);
        w.WriteString("method", summary.Threshold.Method);
        w.WritePropertyName("details");
        JsonSerializer.Serialize(w, summary.Threshold.Details, DetailsOptions);
        w.WriteEndObject();

        w.WriteStartObject("statistics");
        w.WriteNumber("rows", summary.Rows);
        w.WriteNumber("evaluated", summary.Evaluated);
        w.WriteNumber("flagged", summary.Flagged);
        Number(w, "flaggedFraction", summary.FlaggedFraction);
        w.WriteNumber("baselined", report.Baselined);
        w.WriteNumber("suspects", report.Suspects.Count);
        Number(w, "suspectFraction", report.SuspectFraction);
        w.WriteNumber("failed", summary.Failed);
        Number(w, "maxPoisonFraction", result.Options.MaxPoisonFraction);
        w.WriteEndObject();

        w.WriteBoolean("success", report.Success);
        w.WriteBoolean("gatePassed", report.GatePassed);

        w.WriteStartArray("diagnostics");
        foreach (var d in report.Diagnostics)
        {
            w.WriteStartObject();
            w.WriteString("id", d.Id);
            w.WriteString("severity", d.SeverityText);
            w.WriteString("file", d.File);
            w.WriteNumber("line", d.Line);
            w.WriteString("message", d.Message);
            w.WriteString("helpUri", DiagnosticIds.HelpLink(d.Id));
            w.WriteEndObject();
            w.FlushWhenFull();
        }
        w.WriteEndArray();

        w.WriteStartArray("samples");
        for (var i = 0; i < result.Rows.Count; i++)
        {
            var row = result.Rows[i];
            w.WriteStartObject();
            w.WriteString("file", row.File);
            w.WriteNumber("row", row.Row);
            w.WriteNumber("line", row.Line);
            Number(w, "score", row.Score.Score);
            w.WriteNumber("answerTokens", row.Score.AnswerTokens);
            w.WriteBoolean("flagged", row.Verdict.Flagged);
            w.WriteBoolean("baselined", report.IsBaselined(i));
            w.WriteBoolean("failed", row.Verdict.Failed);
            Number(w, "loss", row.Score.Loss);
            Number(w, "gradientNorm", row.Score.GradientNorm);
            w.WriteNumber("promptTokensDropped", row.Score.PromptTokensDropped);
            w.WriteString("rowHash", row.RowHash);
            w.WriteString("reason", row.Verdict.Reason);
            w.WriteEndObject();
            w.FlushWhenFull();
        }
        w.WriteEndArray();

        w.WriteStartArray("topSuspects");
        foreach (var s in result.TopSuspects)
        {
            w.WriteStartObject();
            w.WriteString("file", s.File);
            w.WriteNumber("line", s.Line);
            Number(w, "score", s.Score);
            w.WriteNumber("answerTokens", s.AnswerTokens);
            w.WriteString("prompt", s.Prompt);
            w.WriteString("response", s.Response);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        // Timing fields: the only ones that differ between two runs of the same scan.
        w.WriteStartObject("timing");
        Number(w, "elapsedSeconds", result.Elapsed.TotalSeconds);
        w.WriteNumber("rowsFromCache", result.RowsFromCache);
        w.WriteEndObject();

        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
    }

    /// <summary>A finite number, or null for NaN and infinities (JSON has no spelling for them).</summary>
    static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }
}
