using System.CommandLine;
using GradSentry.Tool.Commands;

namespace GradSentry.Tool;

/// <summary>The <c>dotnet gradsentry</c> command line: <c>scan</c>, <c>merge</c>, <c>baseline</c>, <c>model info</c>.</summary>
public static class GradSentryCli
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("GradSentry: find poisoned rows in LLM fine-tuning data by the spectral entropy of per-sample gradients, before fine-tuning.");
        root.Subcommands.Add(new ScanCommand().Create());
        root.Subcommands.Add(new MergeCommand().Create());
        root.Subcommands.Add(new BaselineCommand().Create());
        root.Subcommands.Add(new ModelInfoCommand().Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    public static Task<int> InvokeAsync(string[] args)
    {
        var configuration = new InvocationConfiguration
        {
            // Ctrl+C cancels the scan, which stops between batches; after a second the process ends anyway (exit 130).
            ProcessTerminationTimeout = TimeSpan.FromSeconds(1),
        };
        return Create().Parse(args).InvokeAsync(configuration);
    }
}
