using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests;

/// <summary>The command line as users meet it: help text, version, usage errors.</summary>
public class GradSentryCliTests
{
    [Theory]
    [InlineData("--help", "gradsentry [command] [options]")]
    [InlineData("scan --help", "gradsentry scan <DATA>... [options]")]
    [InlineData("model info --help", "gradsentry model info <DIR> [options]")]
    public void HelpShowsTheInstalledCommandNameNotTheAssemblyName(string args, string usage)
    {
        var result = ToolProcess.Run(ToolProcess.RepoRoot, args.Split(' '));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(usage, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("GradSentry.Tool", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void VersionPrintsTheInformationalVersion()
    {
        var result = ToolProcess.Run(ToolProcess.RepoRoot, "--version");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout);
    }

    [Theory]
    [InlineData("bogus", "Run 'dotnet gradsentry --help' for usage.")]
    [InlineData("scan", "Run 'dotnet gradsentry scan --help' for usage.")]
    [InlineData("scan samples/data/qa-sample.jsonl --naive", "'--naive' is not an option of 'scan' (and no file has that name).")]
    [InlineData("merge --bogus shard.json", "'--bogus' is not an option of 'merge'")]
    public void AUsageErrorIsExitCode1WithAHintOnStandardError(string args, string hint)
    {
        var result = ToolProcess.Run(ToolProcess.RepoRoot, args.Split(' '));
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(hint, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }
}
