using System.Globalization;
using GradSentry.Tool.Reports;

namespace GradSentry.Tool.Formatters;

/// <summary>
/// Canonical MSBuild lines, one per diagnostic (<c>file(line,1): error GS1001: ...</c>,
/// <c>file(line,1): warning GS1002: ...</c>), then one summary line that MSBuild logs as a message.
/// </summary>
public sealed class MsBuildFormatter : IReportFormatter
{
    /// <inheritdoc />
    public string Name => "msbuild";

    /// <inheritdoc />
    public string FileName => "gradsentry.msbuild.log";

    /// <inheritdoc />
    public void Write(ScanReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var writer = Utf8.Writer(output);
        foreach (var diagnostic in report.Diagnostics) writer.WriteLine(diagnostic.ToCanonicalString());
        // The scan-wide warnings ride on the summary line, so every line before it stays a canonical diagnostic.
        writer.WriteLine(Summary(report) + string.Concat(report.Warnings.Select(w => " WARNING: " + w)));
    }

    /// <summary>The one-line outcome, e.g. <c>GradSentry: 200 rows, 3 suspect (1.50 %), threshold 0.7000 (fixed): gate failed.</c></summary>
    public static string Summary(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Result.Summary;
        var outcome = report.Result.Summary.Failed > 0 ? $"{s.Failed} row(s) could not be scored"
            : report.GatePassed ? "gate passed" : "gate failed";
        return string.Create(CultureInfo.InvariantCulture,
            $"GradSentry: {s.Rows} rows, {s.Evaluated} scored, {report.Suspects.Count} suspect ({report.SuspectFraction:P2}, limit {report.Result.Options.MaxPoisonFraction:P2}), {report.Baselined} baselined, threshold {s.Threshold.Value:0.0000} ({s.Threshold.Method}): {outcome}.");
    }
}
