using System.Diagnostics;
using System.Reflection;

namespace GradSentry.Tool.Tests.Support;

/// <summary>Runs the built tool (<c>dotnet GradSentry.Tool.dll ...</c>) as a separate process, as users and CI do.</summary>
public static class ToolProcess
{
    /// <summary>The tool's build output.</summary>
    public static string ToolPath { get; } = Metadata("GradSentryToolPath");

    /// <summary>The repository root.</summary>
    public static string RepoRoot { get; } = Metadata("RepoRoot");

    /// <summary>Runs the tool to completion (at most two minutes) in <paramref name="workingDirectory"/>.</summary>
    public static ToolResult Run(string workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gradsentry {string.Join(' ', args)} did not finish in two minutes.");
        }
        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Runs the tool with a file size limit (<c>ulimit -f</c>, in KiB): every write past <paramref name="fileSizeLimitKib"/>
    /// bytes of a file fails in the kernel (EFBIG), as writes fail on a full disk, without root or a special file system.
    /// The runtime's W^X double mapping (a memory-backed file) is turned off, since it would hit the limit too.
    /// </summary>
    public static ToolResult RunWithFileSizeLimit(string workingDirectory, int fileSizeLimitKib, params string[] args)
    {
        using var process = Start(workingDirectory, fileSizeLimitKib, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gradsentry {string.Join(' ', args)} did not finish in two minutes.");
        }
        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the tool with redirected output; the caller waits, reads and disposes.</summary>
    public static Process Start(string workingDirectory, params string[] args) => Start(workingDirectory, null, args);

    static Process Start(string workingDirectory, int? fileSizeLimitKib, string[] args)
    {
        var info = new ProcessStartInfo(fileSizeLimitKib is null ? "dotnet" : "bash")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (fileSizeLimitKib is { } limit)
        {
            // SIGXFSZ ignored (the ignore survives exec), so the write fails with EFBIG instead of killing the process.
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("trap '' XFSZ; ulimit -f " + limit.ToString(System.Globalization.CultureInfo.InvariantCulture) + " && exec dotnet \"$@\"");
            info.ArgumentList.Add("bash");
            info.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        }
        info.ArgumentList.Add(ToolPath);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    static string Metadata(string key) =>
        typeof(ToolProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
