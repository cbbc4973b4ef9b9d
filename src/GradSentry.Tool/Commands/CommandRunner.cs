using GradSentry.Data;
using GradSentry.IO;
using GradSentry.Scanning;
using GradSentry.Tool.Diagnostics;
using GradSentry.Tool.Terminal;

namespace GradSentry.Tool.Commands;

/// <summary>Runs a command's work and turns every way it can end into one clear message on standard error and an exit code.</summary>
public static class CommandRunner
{
    /// <summary>Runs <paramref name="work"/>; exceptions become exit codes (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(Func<Task<int>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ConsoleStreams.ErrorLine("cancelled: the rows scored so far are kept in the score cache (--cache); run the same command again to resume.");
            return ExitCodes.Cancelled;
        }
        catch (Exception ex)
        {
            var (code, message) = Describe(ex);
            ConsoleStreams.ErrorLine(message);
            return code;
        }
    }

    /// <summary>The exit code and the one-line message for <paramref name="ex"/>, without .NET's internal wording.</summary>
    public static (int ExitCode, string Message) Describe(Exception ex)
    {
        var (code, message) = DescribeRaw(ex);
        return (code, code == ExitCodes.InternalError ? message : UserMessages.WithoutDotNetInternals(message));
    }

    static (int ExitCode, string Message) DescribeRaw(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return ex switch
        {
            TorchLoadException t => (ExitCodes.InternalError, "error: " + t.Message),
            OutputWriteException o => (ExitCodes.IoError, "error: " + o.Message),
            DatasetException d => (ExitCodes.UsageOrInputError, Diagnostic.Create(DiagnosticIds.UnreadableDataset, d.File, d.Line, d.Column ?? 1,
                string.IsNullOrEmpty(d.Fix) ? d.Problem : d.Problem + " " + d.Fix).ToCanonicalString()),
            ModelLoadException m => (ExitCodes.UsageOrInputError, Diagnostic.Create(DiagnosticIds.ModelCannotBeLoaded, m.ModelDirectory, 0, 0,
                "the model cannot be loaded: " + m.Message).ToCanonicalString()),
            UsageException u when u.DiagnosticId is not null => (ExitCodes.UsageOrInputError, Diagnostic.Create(u.DiagnosticId, "gradsentry", 0, 0, u.Message).ToCanonicalString()),
            UsageException u => (ExitCodes.UsageOrInputError, "error: " + u.Message),
            ArgumentException a => (ExitCodes.UsageOrInputError, "error: " + WithoutParameterName(a)),
            FormatException or KeyNotFoundException => (ExitCodes.UsageOrInputError, "error: " + ex.Message),
            // Any other failure of the file system (a read error, a file that vanished mid-scan) is the environment's, not a bug.
            IOException io => (ExitCodes.IoError, "error: input/output error: " + io.Message),
            _ => (ExitCodes.InternalError, $"internal error ({ex.GetType().Name}): {ex.Message}\nThis is a bug in GradSentry; please report it with the command line.\n{ex.StackTrace}"),
        };
    }

    /// <summary>The message without .NET's " (Parameter 'name')" suffix, which names a C# parameter the user never saw.</summary>
    static string WithoutParameterName(ArgumentException ex)
    {
        var suffix = $" (Parameter '{ex.ParamName}')";
        return ex.ParamName is not null && ex.Message.EndsWith(suffix, StringComparison.Ordinal) ? ex.Message[..^suffix.Length] : ex.Message;
    }
}
