using System.Globalization;
using GradSentry.Tool.Reports;

namespace GradSentry.Tool.Formatters;

/// <summary>A short human-readable summary: outcome, threshold, counts, then the suspect rows.</summary>
public sealed class TextFormatter : IReportFormatter
{
    /// <summary>Suspect rows listed before the list is cut (the other formats list all).</summary>
    public const int MaxListed = 50;

    /// <inheritdoc />
    public string Name => "text";

    /// <inheritdoc />
    public string FileName => "gradsentry.txt";

    /// <inheritdoc />
    public void Write(ScanReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        var r = report.Result;
        var s = r.Summary;
        var inv = CultureInfo.InvariantCulture;
        using var w = Utf8.Writer(output);
        w.WriteLine(string.Create(inv, $"GradSentry {ScanReport.ToolVersion}: {(report.Success ? "PASSED" : r.Summary.Failed > 0 ? "ERROR" : "FAILED")}"));
        foreach (var warning in report.Warnings)
            w.WriteLine($"  WARNING    {warning}");
        w.WriteLine($"  data       {string.Join(", ", r.Files)}");
        w.WriteLine($"  model      {r.ModelDirectory} ({r.ProbeName}, {report.Options.Target}, sha256 {r.ModelHash[..12]})");
        w.WriteLine($"  template   {report.Options.Template}{(report.Options.TemplateSource is { } source ? $" ({source})" : "")}");
        w.WriteLine(string.Create(inv, $"  threshold  {s.Threshold.Value:0.0000} ({s.Threshold.Method}; --threshold {report.Options.Threshold})"));
        w.WriteLine(string.Create(inv, $"  rows       {s.Rows} read, {s.Evaluated} scored, {s.Failed} failed{(report.Options.BlankLinesSkipped > 0 ? $", {report.Options.BlankLinesSkipped} blank line(s) skipped" : "")}"));
        w.WriteLine(string.Create(inv, $"  flagged    {s.Flagged} ({s.FlaggedFraction:P2}), {report.Baselined} accepted by the baseline"));
        w.WriteLine(string.Create(inv, $"  gate       {report.Suspects.Count} suspect ({report.SuspectFraction:P2}) vs limit {r.Options.MaxPoisonFraction:P2}: {(report.GatePassed ? "passed" : $"failed ({report.GateReason})")}"));
        w.WriteLine($"  detector   {Scoring.ScoreKinds.Name(r.Options.Scoring.Score)}{(r.Association is { } a ? ": " + a.Summary : "")}");
        if (report.StaleBaselineEntries.Count > 0)
            w.WriteLine(string.Create(inv, $"  baseline   {report.StaleBaselineEntries.Count} stale entr{(report.StaleBaselineEntries.Count == 1 ? "y" : "ies")} (GS3001)"));
        if (r.Association?.Verdict is { Groups.Count: > 0 } verdict)
        {
            w.WriteLine();
            w.WriteLine("Backdoor groups (a prompt word predicts a shared answer-side behaviour):");
            foreach (var g in verdict.Groups) w.WriteLine($"  {Detection.BackdoorGroupText.Describe(g)}");
        }
        if (r.Association?.Verdict is { SetAside.Count: > 0 } withRepeats)
        {
            w.WriteLine();
            w.WriteLine("Not flagged: groups that each repeat their answers (the data asks facts several ways):");
            foreach (var g in withRepeats.SetAside.Take(MaxListed)) w.WriteLine($"  {Detection.BackdoorGroupText.DescribeSetAside(g)}");
            if (withRepeats.SetAside.Count > MaxListed) w.WriteLine(string.Create(inv, $"  ... and {withRepeats.SetAside.Count - MaxListed} more (see --format json)"));
        }
        if (report.Suspects.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Suspect rows (score > threshold):");
            foreach (var i in report.Suspects.Take(MaxListed))
            {
                var row = r.Rows[i];
                var group = report.GroupOf(i) is { } g ? string.Create(inv, $"  group {g.Number}") : "";
                if (row.Score.Kind == Scoring.ScoreKind.Onion) group += "  trigger candidates " + Detection.OnionText.Candidates(row.Score.TriggerCandidates);
                w.WriteLine(string.Create(inv, $"  {row.File}:{row.Line}  score {row.Score.Score:0.0000}  {row.Score.AnswerTokens} answer tokens{group}"));
            }
            if (report.Suspects.Count > MaxListed)
                w.WriteLine(string.Create(inv, $"  ... and {report.Suspects.Count - MaxListed} more (see --format json or csv)"));
        }
        var unexaminedCount = report.NotExamined;
        if (unexaminedCount > 0)
        {
            w.WriteLine();
            w.WriteLine(string.Create(inv, $"Rows the detector could not examine (GS2004; scored 0, not cleared):"));
            foreach (var row in r.Rows.Where(x => x.Score.NotExamined is not null).Take(MaxListed))
                w.WriteLine(string.Create(inv, $"  {row.File}:{row.Line}  {row.Score.NotExamined}"));
            if (unexaminedCount > MaxListed)
                w.WriteLine(string.Create(inv, $"  ... and {unexaminedCount - MaxListed} more (see --format json)"));
        }
        if (s.Failed > 0)
        {
            w.WriteLine();
            w.WriteLine("Rows that could not be scored (GS2003):");
            foreach (var row in r.Rows.Where(x => x.Verdict.Failed).Take(MaxListed))
                w.WriteLine(string.Create(inv, $"  {row.File}:{row.Line}  {row.Verdict.Reason}"));
            if (s.Failed > MaxListed)
                w.WriteLine(string.Create(inv, $"  ... and {s.Failed - MaxListed} more"));
        }
    }
}
