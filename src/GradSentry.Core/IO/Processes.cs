using System.Diagnostics;

namespace GradSentry.IO;

/// <summary>Which process ids are alive, for deleting what dead processes left behind.</summary>
public static class Processes
{
    /// <summary>Whether a process with id <paramref name="pid"/> is running (in this PID namespace).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
