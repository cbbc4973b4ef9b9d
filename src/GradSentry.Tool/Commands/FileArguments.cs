using System.CommandLine;

namespace GradSentry.Tool.Commands;

/// <summary>Checks on file-list arguments.</summary>
internal static class FileArguments
{
    /// <summary>
    /// A token that looks like an option (<c>--naive</c>) and names no file is a mistyped or unknown option, not a file
    /// that does not exist: say so at parse time (exit 1) instead of failing later on a missing file of that name.
    /// </summary>
    public static Argument<string[]> RejectingUnknownOptions(this Argument<string[]> argument, string command)
    {
        ArgumentNullException.ThrowIfNull(argument);
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (token.Value.StartsWith('-') && !File.Exists(token.Value))
                    result.AddError($"'{token.Value}' is not an option of '{command}' (and no file has that name).");
        });
        return argument;
    }
}
