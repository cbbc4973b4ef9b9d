using System.Globalization;
using System.Net;
using GradSentry.Tool.Diagnostics;
using GradSentry.Tool.Reports;

namespace GradSentry.Tool.Formatters;

/// <summary>
/// One self-contained HTML page (no scripts, no network): a pass/fail banner and summary, the score histogram with
/// KDE curve and threshold line, the score-vs-answer-tokens scatter, the top suspects with their text, the diagnostics
/// and the options used. Plots are PNGs embedded as <c>data:</c> URIs; every text from the data is HTML-escaped.
/// </summary>
public sealed class HtmlFormatter : IReportFormatter
{
    const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
        main{max-width:1000px;margin:0 auto;padding:1rem 1.5rem 3rem}
        header.banner{padding:1.2rem 1.5rem;color:#fff}
        p.warning{background:#fff3cd;color:#664d03;padding:.5rem .8rem;border-radius:4px}
        header.passed{background:#1a7f37} header.failed{background:#cf222e} header.error{background:#9a6700}
        header h1{margin:0;font-size:1.6rem} header p{margin:.3rem 0 0}
        section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:1rem 1.2rem;margin-top:1rem}
        h2{margin-top:0;font-size:1.2rem}
        table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}
        th{background:#f6f8fa} td.num{text-align:right;font-variant-numeric:tabular-nums}
        img{max-width:100%;height:auto;display:block;margin:.5rem auto}
        pre{white-space:pre-wrap;word-break:break-word;margin:0;font-size:.85rem;max-height:12rem;overflow:auto}
        .suspect{color:#cf222e;font-weight:600} .baselined{color:#9a6700} .muted{color:#57606a}
        """;

    /// <inheritdoc />
    public string Name => "html";

    /// <inheritdoc />
    public string FileName => "gradsentry.html";

    /// <inheritdoc />
    public void Write(ScanReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        var r = report.Result;
        var s = r.Summary;
        var inv = CultureInfo.InvariantCulture;
        var state = report.Success ? "passed" : s.Failed > 0 ? "error" : "failed";
        using var w = Utf8.Writer(output);
        w.WriteLine("<!DOCTYPE html>");
        w.WriteLine("<html lang=\"en\">");
        w.WriteLine("<head>");
        w.WriteLine("<meta charset=\"utf-8\">");
        w.WriteLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        w.WriteLine($"<title>GradSentry report: {E(state)}</title>");
        w.WriteLine($"<style>{Style}</style>");
        w.WriteLine("</head>");
        w.WriteLine("<body>");
        w.WriteLine($"<header class=\"banner {state}\" id=\"banner\">");
        w.WriteLine($"<h1>GradSentry: {E(state.ToUpperInvariant())}</h1>");
        w.WriteLine(string.Create(inv,
            $"<p>{report.Suspects.Count} suspect row(s) of {s.Evaluated} scored ({report.SuspectFraction:P2}); limit {r.Options.MaxPoisonFraction:P2}. Threshold {s.Threshold.Value:0.0000} ({E(s.Threshold.Method)}).</p>"));
        foreach (var warning in report.Warnings)
            w.WriteLine($"<p class=\"warning\"><strong>Warning:</strong> {E(warning)}</p>");
        w.WriteLine("</header>");
        w.WriteLine("<main>");

        w.WriteLine("<section id=\"summary\">");
        w.WriteLine("<h2>Summary</h2>");
        w.WriteLine("<table>");
        Row(w, "Files", string.Join(", ", r.Files));
        Row(w, "Model", $"{r.ModelDirectory} ({r.ProbeName}, sha256 {r.ModelHash})");
        Row(w, "Rows read", s.Rows.ToString(inv));
        Row(w, "Rows scored", s.Evaluated.ToString(inv));
        Row(w, "Rows that could not be scored", s.Failed.ToString(inv));
        Row(w, "Flagged (score > threshold)", string.Create(inv, $"{s.Flagged} ({s.FlaggedFraction:P2})"));
        Row(w, "Accepted by the baseline", report.Baselined.ToString(inv));
        Row(w, "Suspects (counted by the gate)", string.Create(inv, $"{report.Suspects.Count} ({report.SuspectFraction:P2})"));
        Row(w, "Threshold", string.Create(inv, $"{s.Threshold.Value:0.000000} ({s.Threshold.Method})"));
        Row(w, "Gate", report.GatePassed ? "passed" : $"failed ({report.GateReason})");
        Row(w, "Detector", $"{Scoring.ScoreKinds.Name(r.Options.Scoring.Score)}{(r.Association is { } a ? ": " + a.Summary : "")}");
        w.WriteLine("</table>");
        w.WriteLine("</section>");

        if (r.Association?.Verdict is { } verdict)
        {
            w.WriteLine("<section id=\"groups\">");
            w.WriteLine("<h2>Backdoor groups</h2>");
            if (verdict.Groups.Count == 0)
            {
                w.WriteLine(string.Create(inv, $"<p>None: no prompt word predicts an answer-side behaviour shared by its rows ({verdict.WordsTested} words tested). Repeated answers without a trigger (boilerplate) are not a backdoor.</p>"));
            }
            else
            {
                w.WriteLine("<p class=\"muted\">Each group is a behaviour (the rows' lm_head gradients point the same way and their answers share words) that appears with some prompt words and rarely without them. Counts: rows of the group with the word / other rows with the word.</p>");
                w.WriteLine("<table><thead><tr><th>Group</th><th>Rows</th><th>Prompt words (trigger candidates)</th><th>Shared answer words</th></tr></thead><tbody>");
                foreach (var g in verdict.Groups)
                    w.WriteLine(string.Create(inv,
                        $"<tr><td class=\"num\">{g.Number}</td><td class=\"num\">{g.Rows}</td><td>{E(string.Join(", ", g.Triggers.Take(8).Select(t => $"{t.Word} ({t.InGroup} / {t.OutsideGroup})")))}</td><td>{E(string.Join(", ", g.AnswerWords.Take(8).Select(t => $"{t.Word} ({t.InGroup} / {t.OutsideGroup})")))}</td></tr>"));
                w.WriteLine("</tbody></table>");
            }
            if (verdict.SetAside.Count > 0)
            {
                w.WriteLine(string.Create(inv, $"<h3>Not flagged: {verdict.SetAside.Count} groups that each repeat their answers</h3>"));
                w.WriteLine("<p class=\"muted\">These words predict their rows' answers as a trigger would, but each group gives one and the same answer, and the data holds many such groups: it asks facts several ways. A group stays a backdoor only when it is several times larger than the typical one.</p>");
                w.WriteLine("<table><thead><tr><th>Rows</th><th>Prompt words</th><th>Answer</th></tr></thead><tbody>");
                foreach (var g in verdict.SetAside.Take(50))
                    w.WriteLine(string.Create(inv,
                        $"<tr><td class=\"num\">{g.Rows}</td><td>{E(string.Join(", ", g.Triggers.Take(5).Select(t => $"{t.Word} ({t.InGroup} / {t.OutsideGroup})")))}</td><td>{E(string.Join(" ", g.AnswerWords.Take(5).Select(t => t.Word)))}</td></tr>"));
                w.WriteLine("</tbody></table>");
            }
            w.WriteLine("</section>");
        }

        var scores = ReportPlots.ScoredValues(report);
        w.WriteLine("<section id=\"distribution\">");
        w.WriteLine("<h2>Score distribution</h2>");
        if (scores.Length > 0)
        {
            Image(w, ReportPlots.Distribution(report), "Histogram of the scores with the Gaussian KDE curve and the threshold line");
            w.WriteLine("<p class=\"muted\">Rows to the right of the dashed threshold line are flagged. The curve is the Gaussian kernel density estimate the automatic threshold looks for a valley in.</p>");
        }
        else
        {
            w.WriteLine("<p>No row could be scored, so there is no distribution to show.</p>");
        }
        w.WriteLine("</section>");

        w.WriteLine("<section id=\"length\">");
        w.WriteLine("<h2>Score vs answer tokens</h2>");
        if (scores.Length > 0)
        {
            Image(w, ReportPlots.ScoreVersusAnswerTokens(report), Scoring.ScoreKinds.Capabilities(r.Options.Scoring.Score).RankCeiling
                ? "Scatter of score against answer tokens with the rank ceiling and the threshold"
                : "Scatter of score against answer tokens with the threshold");
            w.WriteLine(Scoring.ScoreKinds.Capabilities(r.Options.Scoring.Score).RankCeiling
                ? "<p class=\"muted\">The gradient of a sample with T answer tokens has rank at most T, so its score cannot exceed the dotted rank ceiling. Short answers score low whatever their content: read flags together with answer length.</p>"
                : "<p class=\"muted\">This detector's score is not capped by the answer length; the plot shows whether flags follow answer length anyway.</p>");
        }
        else
        {
            w.WriteLine("<p>No row could be scored.</p>");
        }
        w.WriteLine("</section>");

        w.WriteLine("<section id=\"suspects\">");
        w.WriteLine("<h2>Top suspects</h2>");
        if (r.TopSuspects.Count == 0)
        {
            w.WriteLine("<p>No scored rows.</p>");
        }
        else
        {
            // The status (and ONION's trigger candidates) of the listed rows only: one pass over the rows, memory for the top
            // suspects, not for every row.
            var status = r.TopSuspects.Select(t => (t.File, t.Line)).Distinct().ToDictionary(key => key, _ => "");
            var candidates = new Dictionary<(string, long), string>();
            var onion = r.Options.Scoring.Score == Scoring.ScoreKind.Onion;
            for (var i = 0; i < r.Rows.Count; i++)
            {
                var key = (r.Rows[i].File, r.Rows[i].Line);
                if (!status.ContainsKey(key)) continue;
                status[key] = report.IsSuspect(i) ? "suspect" : report.IsBaselined(i) ? "baselined" : "below threshold";
                if (onion) candidates[key] = r.Rows[i].Score.NotExamined ?? Detection.OnionText.Candidates(r.Rows[i].Score.TriggerCandidates);
            }
            w.WriteLine("<table>");
            w.WriteLine("<thead><tr><th>#</th><th>Location</th><th>Score</th><th>Answer tokens</th><th>Status</th>" + (onion ? "<th>Trigger candidates (ONION)</th>" : "") + "<th>Prompt</th><th>Response</th></tr></thead>");
            w.WriteLine("<tbody>");
            var n = 0;
            foreach (var suspect in r.TopSuspects)
            {
                n++;
                var st = status.GetValueOrDefault((suspect.File, suspect.Line), "");
                var css = st == "suspect" ? "suspect" : st == "baselined" ? "baselined" : "muted";
                w.WriteLine(string.Create(inv,
                    $"<tr class=\"top-suspect\"><td class=\"num\">{n}</td><td>{E(suspect.File)}:{suspect.Line}</td><td class=\"num\">{suspect.Score:0.0000}</td><td class=\"num\">{suspect.AnswerTokens}</td><td class=\"{css}\">{E(st)}</td>{(onion ? $"<td class=\"candidates\">{E(candidates.GetValueOrDefault((suspect.File, suspect.Line), ""))}</td>" : "")}<td><pre>{E(suspect.Prompt)}</pre></td><td><pre>{E(suspect.Response)}</pre></td></tr>"));
            }
            w.WriteLine("</tbody>");
            w.WriteLine("</table>");
        }
        w.WriteLine("</section>");

        w.WriteLine("<section id=\"diagnostics\">");
        w.WriteLine("<h2>Diagnostics</h2>");
        if (report.Diagnostics.Count == 0)
        {
            w.WriteLine("<p>None.</p>");
        }
        else
        {
            w.WriteLine("<ul>");
            foreach (var d in report.Diagnostics.Take(500))
                w.WriteLine($"<li><a href=\"{E(DiagnosticIds.HelpLink(d.Id))}\">{E(d.Id)}</a> {E(d.SeverityText)}: {E(d.File)}{(d.Line > 0 ? ":" + d.Line.ToString(inv) : "")}: {E(d.Message)}</li>");
            if (report.Diagnostics.Count > 500) w.WriteLine($"<li>... and {(report.Diagnostics.Count - 500).ToString(inv)} more (see the JSON or SARIF report)</li>");
            w.WriteLine("</ul>");
        }
        w.WriteLine("</section>");

        var o = report.Options;
        w.WriteLine("<section id=\"options\">");
        w.WriteLine("<h2>Options</h2>");
        w.WriteLine("<table>");
        Row(w, "--model", o.Model);
        Row(w, "--target", o.Target);
        Row(w, "--rank", o.Rank.ToString(inv));
        Row(w, "--slice", o.Slice.ToString(inv));
        Row(w, "--score", o.Score);
        Row(w, "--threshold", o.Threshold);
        Row(w, "--max-poison-fraction", o.MaxPoisonFraction.ToString("R", inv));
        Row(w, "--device", o.Device);
        Row(w, "--dtype", report.Result.Options.DType is { } dtype && o.DType == "auto" ? $"auto ({ComputeDTypes.Name(dtype)})" : o.DType);
        Row(w, "--batch-size", o.BatchSize.ToString(inv));
        Row(w, "--window", o.Window.ToString(inv));
        Row(w, "--max-length", o.MaxLength?.ToString(inv) ?? "model maximum");
        Row(w, "--template", o.TemplateSource is { } source ? $"{o.Template} ({source})" : o.Template);
        Row(w, "--prompt-field", o.PromptField ?? "(template default)");
        Row(w, "--response-field", o.ResponseField ?? "(template default)");
        Row(w, "--baseline", o.Baseline ?? "(none)");
        w.WriteLine("</table>");
        w.WriteLine("</section>");
        w.WriteLine("</main>");
        w.WriteLine($"<footer class=\"muted\" style=\"text-align:center;padding:1rem\">GradSentry {E(ScanReport.ToolVersion)}</footer>");
        w.WriteLine("</body>");
        w.WriteLine("</html>");
    }

    static string E(string text) => WebUtility.HtmlEncode(text);

    static void Row(StreamWriter w, string name, string value) => w.WriteLine($"<tr><th>{E(name)}</th><td>{E(value)}</td></tr>");

    static void Image(StreamWriter w, byte[] png, string alt) =>
        w.WriteLine($"<img alt=\"{E(alt)}\" width=\"{ReportPlots.Width.ToString(CultureInfo.InvariantCulture)}\" height=\"{ReportPlots.Height.ToString(CultureInfo.InvariantCulture)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">");
}
