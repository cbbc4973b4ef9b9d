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

        w.WriteStartArray("warnings");
        foreach (var warning in report.Warnings) w.WriteStringValue(warning);
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
        w.WriteString("templateSource", o.TemplateSource);
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

        WriteDetector(w, result);

        w.WriteStartObject("statistics");
        w.WriteNumber("rows", summary.Rows);
        w.WriteNumber("evaluated", summary.Evaluated);
        w.WriteNumber("flagged", summary.Flagged);
        Number(w, "flaggedFraction", summary.FlaggedFraction);
        w.WriteNumber("baselined", report.Baselined);
        w.WriteNumber("suspects", report.Suspects.Count);
        Number(w, "suspectFraction", report.SuspectFraction);
        w.WriteNumber("failed", summary.Failed);
        w.WriteNumber("blankLinesSkipped", report.Options.BlankLinesSkipped);
        Number(w, "maxPoisonFraction", result.Options.MaxPoisonFraction);
        w.WriteEndObject();

        w.WriteBoolean("success", report.Success);
        w.WriteBoolean("gatePassed", report.GatePassed);
        w.WriteString("gateReason", report.GateReason);

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
            Number(w, "referenceScore", double.IsNaN(row.Score.ReferenceScore) ? row.Score.Score : row.Score.ReferenceScore);
            if (report.GroupOf(i) is { } group) w.WriteNumber("group", group.Number);
            w.WriteBoolean("baselined", report.IsBaselined(i));
            w.WriteBoolean("failed", row.Verdict.Failed);
            Number(w, "loss", row.Score.Loss);
            Number(w, "gradientNorm", row.Score.GradientNorm);
            w.WriteNumber("promptTokensDropped", row.Score.PromptTokensDropped);
            w.WriteString("rowHash", row.RowHash);
            w.WriteString("reason", row.Verdict.Reason);
            if (row.Score.Kind == Scoring.ScoreKind.Onion)
            {
                Number(w, "promptPerplexity", row.Score.PromptPerplexity);
                if (row.Score.NotExamined is { } notExamined) w.WriteString("notExamined", notExamined);
                WriteCandidates(w, row.Score.TriggerCandidates);
            }
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

    /// <summary>Which detector decided, what it concluded, and each backdoor group with its evidence.</summary>
    static void WriteDetector(Utf8JsonWriter w, Scanning.ScanResult result)
    {
        w.WriteStartObject("detector");
        w.WriteString("name", Scoring.ScoreKinds.Name(result.Options.Scoring.Score));
        w.WriteString("scoreLabel", Scoring.ScoreKinds.Capabilities(result.Options.Scoring.Score).AxisLabel);
        if (result.Options.Scoring.Score == Scoring.ScoreKind.Onion)
        {
            var onion = result.Options.Scoring.Onion;
            w.WriteNumber("maxDeletions", onion.MaxDeletions);
            Number(w, "templateFraction", onion.TemplateFraction);
            w.WriteNumber("topWords", onion.TopWords);
            w.WriteNumber("notExamined", result.Rows.Count(r => r.Score.NotExamined is not null));
        }
        if (result.Association is { } a)
        {
            w.WriteString("outcome", a.Summary);
            w.WriteString("fallback", a.Fallback);
            if (a.Verdict is { } v)
            {
                w.WriteNumber("wordsTested", v.WordsTested);
                Groups(w, "groups", v.Groups, numbered: true);
                // Groups that passed the test but each repeat their answers (facts asked several ways): shown, not flagged.
                Groups(w, "setAside", v.SetAside, numbered: false);
            }
        }
        w.WriteEndObject();
    }

    /// <summary>ONION's trigger candidates of a row: word, suspicion (PPL drop) and relative drop.</summary>
    static void WriteCandidates(Utf8JsonWriter w, IReadOnlyList<Detection.WordSuspicion>? candidates)
    {
        w.WriteStartArray("triggerCandidates");
        foreach (var c in candidates ?? [])
        {
            w.WriteStartObject();
            w.WriteString("word", c.Word);
            Number(w, "suspicion", c.Suspicion);
            Number(w, "drop", c.Drop);
            w.WriteNumber("rows", c.Rows);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    static void Groups(Utf8JsonWriter w, string name, IReadOnlyList<Detection.BackdoorGroup> groups, bool numbered)
    {
        w.WriteStartArray(name);
        foreach (var g in groups)
        {
            w.WriteStartObject();
            if (numbered) w.WriteNumber("group", g.Number);
            w.WriteNumber("rows", g.Rows);
            w.WriteNumber("behaviourRows", g.BehaviourRows);
            Number(w, "log10PValue", g.LogPValue / Math.Log(10));
            Words(w, "triggers", g.Triggers);
            Words(w, "answerWords", g.AnswerWords);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    static void Words(Utf8JsonWriter w, string name, IReadOnlyList<Detection.WordEvidence> words)
    {
        w.WriteStartArray(name);
        foreach (var word in words)
        {
            w.WriteStartObject();
            w.WriteString("word", word.Word);
            w.WriteNumber("inGroup", word.InGroup);
            w.WriteNumber("outsideGroup", word.OutsideGroup);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>A finite number, or null for NaN and infinities (JSON has no spelling for them).</summary>
    static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }
}
