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
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            // Usage errors go to standard error only: standard output may be a JSON pipe.
            foreach (var error in parse.Errors) Console.Error.WriteLine("error: " + error.Message);
            var command = string.Join(' ', parse.CommandResult.Command is RootCommand ? [] : new[] { parse.CommandResult.Command.Name });
            Console.Error.WriteLine($"Run 'dotnet gradsentry {command}{(command.Length > 0 ? " " : "")}--help' for usage.");
            return Task.FromResult(ExitCodes.UsageOrInputError);
        }
        return parse.InvokeAsync(configuration);
    }
}
