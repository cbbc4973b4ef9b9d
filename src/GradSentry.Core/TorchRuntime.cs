using System.Runtime.CompilerServices;
using GradSentry.Native;
using TorchSharp;

namespace GradSentry;

/// <summary>Chooses the TorchSharp device from a user string (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>).</summary>
public static class TorchRuntime
{
    static volatile bool s_loaded;

    /// <summary>
    /// Loads TorchSharp's native libraries (once); every GradSentry entry point that runs a model calls this first.
    /// </summary>
    /// <exception cref="TorchLoadException">
    /// They cannot be loaded; the message gives the dynamic loader's own reason (a missing library or symbol version),
    /// not TorchSharp's generic one.
    /// </exception>
    public static void EnsureLoaded()
    {
        if (s_loaded)
            return;
        try
        {
            InitializeCpu();
            s_loaded = true;
        }
        catch (Exception ex) when (ex is TypeInitializationException or NotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new TorchLoadException(TorchNativeLoader.Explain(typeof(torch).Assembly), ex);
        }
    }

    /// <summary>Kept apart so that TorchSharp's type initialiser runs here, inside <see cref="EnsureLoaded"/>'s handler.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void InitializeCpu() => torch.InitializeDeviceType(DeviceType.CPU);

    /// <summary>Resolves <paramref name="device"/>; <c>auto</c> means CUDA when available, else CPU.</summary>
    /// <exception cref="ArgumentException">The string is not a device name, or CUDA was asked for and is not available.</exception>
    public static torch.Device ResolveDevice(string device)
    {
        ArgumentNullException.ThrowIfNull(device);
        EnsureLoaded();
        var d = device.Trim().ToLowerInvariant();
        if (d == "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (d == "cpu") return torch.CPU;
        if (d == "cuda" || d.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException($"device '{device}' was requested but CUDA is not available (is the build using GradSentryTorchBackend=cuda and is a GPU present?); use --device cpu or auto.", nameof(device));
            if (d == "cuda") return torch.CUDA;
            if (!int.TryParse(d.AsSpan(5), out var index) || index < 0 || index >= torch.cuda.device_count())
                throw new ArgumentException($"device '{device}': CUDA has {torch.cuda.device_count()} device(s) (cuda:0..cuda:{torch.cuda.device_count() - 1}).", nameof(device));
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"unknown device '{device}': expected auto, cpu, cuda or cuda:N.", nameof(device));
    }
}
