using System.Diagnostics;
using System.Globalization;

namespace GradSentry.Bench;

/// <summary>Resident memory of this process from <c>/proc/self/status</c> (Linux).</summary>
internal static class ProcessMemory
{
    /// <summary>Current resident set (VmRSS), bytes.</summary>
    public static long ResidentBytes() => Read("VmRSS:");

    /// <summary>Peak resident set since start or the last <see cref="ResetPeak"/> (VmHWM), bytes.</summary>
    public static long PeakResidentBytes() => Read("VmHWM:");

    /// <summary>Resets VmHWM to the current VmRSS (writes 5 to <c>/proc/self/clear_refs</c>); false where not permitted.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    static long Read(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Debug.Assert(parts.Length == 2 && parts[1] == "kB");
            return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
        }
        throw new PlatformNotSupportedException($"/proc/self/status has no {key} line (Linux only).");
    }
}
