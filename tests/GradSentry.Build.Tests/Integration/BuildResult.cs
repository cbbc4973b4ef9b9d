namespace GradSentry.Build.Tests.Integration;

/// <summary>What one <c>dotnet build</c> did: its exit code and its console output, line by line.</summary>
public sealed record BuildResult(int ExitCode, IReadOnlyList<string> Lines)
{
    public string Output => string.Join(Environment.NewLine, Lines);

    /// <summary>
    /// The lines logged while building, without the closing summary ("Build succeeded." and the warnings and errors
    /// repeated after it): a diagnostic logged twice shows up twice here.
    /// </summary>
    public IReadOnlyList<string> Logged
    {
        get
        {
            var end = Lines.ToList().FindIndex(l => l.Trim() is "Build succeeded." or "Build FAILED.");
            return end < 0 ? Lines : Lines.Take(end).ToList();
        }
    }

    /// <summary>Lines holding <c>error CODE:</c>.</summary>
    public IReadOnlyList<string> Errors(string code) => Logged.Where(l => l.Contains($": error {code}: ", StringComparison.Ordinal)).ToList();

    /// <summary>Lines holding <c>warning CODE:</c>.</summary>
    public IReadOnlyList<string> Warnings(string code) => Logged.Where(l => l.Contains($": warning {code}: ", StringComparison.Ordinal)).ToList();

    /// <summary>True when the gate's scan ran (the tool's summary line was logged).</summary>
    public bool Scanned => Lines.Any(l => l.TrimStart().StartsWith("GradSentry: ", StringComparison.Ordinal) && l.Contains(" rows, ", StringComparison.Ordinal));

    /// <summary>True when the gate reported an unchanged, skipped scan.</summary>
    public bool SkippedAsUpToDate => Lines.Any(l => l.Contains("GradSentry: skipped the scan", StringComparison.Ordinal));

    /// <summary>True when the sample's gated target ran.</summary>
    public bool FineTuneRan => Lines.Any(l => l.Contains("FineTune: training on", StringComparison.Ordinal));

    public override string ToString() => $"exit code {ExitCode}{Environment.NewLine}{Output}";
}
