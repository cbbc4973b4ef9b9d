using System.Globalization;
using System.Runtime.InteropServices;

namespace GradSentry.Models;

/// <summary>What the loader asks of this machine: the memory still available and whether the CPU computes bfloat16 natively.</summary>
public static class HostMachine
{
    static readonly Lazy<bool> NativeBFloat16Flag = new(DetectNativeBFloat16);

    /// <summary>The memory this process can still take, in bytes: Linux <c>MemAvailable</c> and the runtime's limit (a container's), the lower; null when unknown.</summary>
    public static long? AvailableMemoryBytes()
    {
        long? available = null;
        try
        {
            if (File.Exists("/proc/meminfo"))
                foreach (var line in File.ReadLines("/proc/meminfo"))
                {
                    if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length >= 2 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var kib)) available = kib * 1024;
                    break;
                }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        var info = GC.GetGCMemoryInfo();
        var limit = info.TotalAvailableMemoryBytes - Environment.WorkingSet;
        if (info.TotalAvailableMemoryBytes > 0 && limit > 0) available = available is { } a ? Math.Min(a, limit) : limit;
        return available;
    }

    /// <summary>
    /// Whether the CPU has bfloat16 matrix instructions libtorch uses (x86 <c>avx512_bf16</c> or <c>amx_bf16</c>, Arm
    /// <c>bf16</c>), from <c>/proc/cpuinfo</c>; false when unknown. Without them bfloat16 products are emulated and
    /// slower than float32.
    /// </summary>
    public static bool HasNativeBFloat16 => NativeBFloat16Flag.Value;

    static bool DetectNativeBFloat16()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return false;
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (!line.StartsWith("flags", StringComparison.Ordinal) && !line.StartsWith("Features", StringComparison.Ordinal)) continue;
                var words = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return RuntimeInformation.ProcessArchitecture == Architecture.Arm64
                    ? words.Contains("bf16")
                    : words.Contains("avx512_bf16") || words.Contains("amx_bf16");
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return false;
    }
}
