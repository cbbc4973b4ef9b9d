using System.CommandLine;
using System.CommandLine.Help;
using GradSentry.Tool.Commands;

namespace GradSentry.Tool;

/// <summary>The <c>dotnet gradsentry</c> command line: <c>scan</c>, <c>merge</c>, <c>baseline</c>, <c>model info</c>.</summary>
public static class GradSentryCli
{
    /// <summary>
    /// Builds the root command. It is named after the installed command (<c>gradsentry</c>, run as <c>dotnet gradsentry</c>)
    /// rather than a <see cref="RootCommand"/>, whose name is the assembly's (<c>GradSentry.Tool</c>) and would show in every
    /// usage line; the help and version options a <see cref="RootCommand"/> brings are added by hand.
    /// </summary>
    public static Command Create()
    {
        var root = new Command("gradsentry", "GradSentry: find poisoned rows in LLM fine-tuning data by the spectral entropy of per-sample gradients, before fine-tuning.");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
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
            var command = string.Join(' ', parse.CommandResult.Command.Parents.Any() is false ? [] : new[] { parse.CommandResult.Command.Name });
            Console.Error.WriteLine($"Run 'dotnet gradsentry {command}{(command.Length > 0 ? " " : "")}--help' for usage.");
            return Task.FromResult(ExitCodes.UsageOrInputError);
        }
        return parse.InvokeAsync(configuration);
    }
}
