using GradSentry.Tool.Output;

namespace GradSentry.Tool.Commands;

/// <summary>Where a scan's reports go.</summary>
/// <param name="Formats">The <c>--format</c> values, in order, without repeats (default text).</param>
/// <param name="Output">The <c>--output</c> file, or null for standard output.</param>
/// <param name="ReportDirectory">The <c>--report</c> folder, or null.</param>
/// <param name="FilteredOutput">The <c>--filtered-output</c> file, or null.</param>
/// <param name="Baseline">The <c>--baseline</c> file, or null.</param>
public sealed record ReportRequest(IReadOnlyList<string> Formats, string? Output, string? ReportDirectory, string? FilteredOutput, string? Baseline)
{
    /// <summary>The format written to <see cref="Output"/>: the only one besides msbuild (or msbuild when it is the only one).</summary>
    /// <exception cref="UsageException">--output with several formats besides msbuild.</exception>
    public string? FileFormat
    {
        get
        {
            if (Output is null) return null;
            var others = Formats.Where(f => f != "msbuild").ToList();
            if (others.Count > 1)
                throw new UsageException($"--output takes one format but {string.Join(", ", others)} were asked for; use --report DIR to write several, or drop --output to print them.");
            return others.Count == 1 ? others[0] : "msbuild";
        }
    }

    /// <summary>The formats written to standard output, in order.</summary>
    public IReadOnlyList<string> StdoutFormats => Formats.Where(f => f != FileFormat).ToList();

    /// <summary>Fails early, before any scoring, when an output cannot be written.</summary>
    /// <exception cref="UsageException">A destination's folder is missing, or --output has several formats.</exception>
    public void CheckDestinations()
    {
        _ = FileFormat;
        if (Output is not null) AtomicFile.CheckDestination(Output);
        if (FilteredOutput is not null) AtomicFile.CheckDestination(FilteredOutput);
        if (ReportDirectory is not null)
        {
            // Missing folders are created when the reports are written; only a file in the way is an error.
            for (string? dir = Path.GetFullPath(ReportDirectory); dir is not null && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
            {
                if (File.Exists(dir))
                    throw new UsageException(dir == Path.GetFullPath(ReportDirectory) ? $"{ReportDirectory}: is a file; --report needs a folder." : $"{ReportDirectory}: '{dir}' is a file, so the folder cannot be created.");
            }
        }
    }
}
