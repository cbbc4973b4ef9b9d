namespace GradSentry.Build.Tests.Integration;

/// <summary>What one <c>dotnet build</c> did: its exit code and its console output, line by line.</summary>
public sealed record BuildResult(int ExitCode, IReadOnlyList<string> Lines)
{
    public string Output => string.Join(Environment.NewLine, Lines);

    /// <summary>Lines holding <c>error CODE:</c>.</summary>
    public IReadOnlyList<string> Errors(string code) => Lines.Where(l => l.Contains($": error {code}: ", StringComparison.Ordinal)).Distinct().ToList();

    /// <summary>Lines holding <c>warning CODE:</c>.</summary>
    public IReadOnlyList<string> Warnings(string code) => Lines.Where(l => l.Contains($": warning {code}: ", StringComparison.Ordinal)).Distinct().ToList();

    /// <summary>True when the gate's scan ran (the tool's summary line was logged).</summary>
    public bool Scanned => Lines.Any(l => l.TrimStart().StartsWith("GradSentry: ", StringComparison.Ordinal) && l.Contains(" rows, ", StringComparison.Ordinal));

    /// <summary>True when the gate reported an unchanged, skipped scan.</summary>
    public bool SkippedAsUpToDate => Lines.Any(l => l.Contains("GradSentry: skipped the scan", StringComparison.Ordinal));

    /// <summary>True when the sample's gated target ran.</summary>
    public bool FineTuneRan => Lines.Any(l => l.Contains("FineTune: training on", StringComparison.Ordinal));

    public override string ToString() => $"exit code {ExitCode}{Environment.NewLine}{Output}";
}
