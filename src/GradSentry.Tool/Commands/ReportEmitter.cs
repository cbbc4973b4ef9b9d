using GradSentry.Data;
using GradSentry.Tool.Formatters;
using GradSentry.Tool.Output;
using GradSentry.Tool.Reports;
using GradSentry.Tool.Terminal;

namespace GradSentry.Tool.Commands;

/// <summary>Writes a finished report where the user asked: files first (all-or-nothing), then standard output.</summary>
public static class ReportEmitter
{
    /// <summary>Writes every requested output of <paramref name="report"/> and returns the exit code.</summary>
    /// <exception cref="UsageException">An output cannot be written (nothing is left behind).</exception>
    public static int Emit(ScanReport report, ReportRequest request, DatasetFormat? inputFormat)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(request);
        using (var outputs = new OutputSet())
        {
            if (request.Output is { } output)
                outputs.Add(output, stream => ReportFormatters.Get(request.FileFormat!).Write(report, stream));
            if (request.ReportDirectory is { } folder)
            {
                outputs.EnsureFolder(folder);
                foreach (var formatter in ReportFormatters.All)
                    outputs.Add(Path.Combine(folder, formatter.FileName), stream => formatter.Write(report, stream));
            }
            // Rows that could not be scored have no verdict: a filtered copy would silently keep or drop them.
            if (request.FilteredOutput is { } filtered && report.Result.Summary.Failed == 0)
                outputs.Add(filtered, stream => FilteredOutputWriter.Write(report, inputFormat, stream));
            outputs.Commit();
        }

        var stdout = Console.OpenStandardOutput();
        foreach (var name in request.StdoutFormats)
            ReportFormatters.Get(name).Write(report, stdout);
        stdout.Flush();

        // Diagnostics on standard error, unless the msbuild lines already went to standard output (no double build errors).
        if (!request.StdoutFormats.Contains("msbuild"))
        {
            foreach (var diagnostic in report.Diagnostics.Where(d => d.Id != Diagnostics.DiagnosticIds.SuspectRow || request.StdoutFormats.Count == 0))
                ConsoleStreams.ErrorLine(diagnostic.ToCanonicalString());
            if (request.StdoutFormats.Count == 0) ConsoleStreams.ErrorLine(MsBuildFormatter.Summary(report));
        }
        if (request.FilteredOutput is not null && report.Result.Summary.Failed > 0)
            ConsoleStreams.ErrorLine($"--filtered-output: not written, because {report.Result.Summary.Failed} row(s) could not be scored (GS2003).");
        if (report.NothingExamined)
            ConsoleStreams.ErrorLine($"error: the {Scoring.ScoreKinds.Name(report.Result.Options.Scoring.Score)} detector could examine none of the {report.Result.Summary.Evaluated} rows (GS2004: no prompt has a word it can delete), so the gate cannot pass; scan with another --score.");
        return report.ExitCode;
    }
}
