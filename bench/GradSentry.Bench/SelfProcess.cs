using System.Diagnostics;
using System.Reflection;

namespace GradSentry.Bench;

/// <summary>Runs this bench program again as a child process (so what it measures starts from a clean process).</summary>
internal static class SelfProcess
{
    /// <summary>Runs the bench with <paramref name="args"/>; returns its stdout; stderr passes through.</summary>
    public static string Run(IEnumerable<string> args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell how this process was started");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location); // started as `dotnet GradSentry.Bench.dll`
        foreach (var a in args) start.ArgumentList.Add(a);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start " + host);
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"child '{string.Join(' ', start.ArgumentList)}' exited with {child.ExitCode}");
        return output;
    }
}
