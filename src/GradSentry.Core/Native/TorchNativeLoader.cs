using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using GradSentry.Build.Native;

namespace GradSentry.Native;

/// <summary>
/// The run-time half of the libLibTorchSharp.so fix (the build-time half is build/GradSentry.NativePatch.targets,
/// shipped in GradSentry.Core's buildTransitive/). TorchSharp 0.107's bridge asks for <c>GLIBCXX_3.4.32</c> for one
/// never-called symbol; on hosts with an older libstdc++ (Debian 12, Ubuntu 22.04) the loader refuses it. A project
/// that got the build-time patch never reaches this code; one that did not (a ProjectReference from outside the
/// repository, a build with the patch turned off) would die with TorchSharp's misleading "doesn't contain a reference
/// to libtorch-cpu-linux-x64".
/// </summary>
/// <remarks>
/// When the runtime's own probing for <c>LibTorchSharp</c> fails, <see cref="AssemblyLoadContext.ResolvingUnmanagedDll"/>
/// calls <see cref="Resolve"/>: it loads the application's copy itself to read the loader's message, and when that names
/// a missing <c>GLIBCXX_*</c> version the library requires, loads a copy with that requirement marked WEAK from
/// <c>$XDG_CACHE_HOME/gradsentry/native/HASH/</c> (the application's files are never written). Any other failure is kept
/// for <see cref="Explain"/>, which <see cref="TorchRuntime.EnsureLoaded"/> puts in its <see cref="TorchLoadException"/>.
/// </remarks>
internal static partial class TorchNativeLoader
{
    const string LibraryFile = "libLibTorchSharp.so";

    /// <summary>The libraries libLibTorchSharp.so needs from its own folder (its DT_NEEDED entries besides the system's).</summary>
    static readonly string[] Siblings = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    static readonly Lock Gate = new();
    static string? s_failure;

    /// <summary>Where the patched copy was loaded from, when the run-time fallback was needed.</summary>
    public static string? PatchedCopy { get; private set; }

#pragma warning disable CA2255 // A module initializer in a library: the handler must be in place before anything touches TorchSharp.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        if (!OperatingSystem.IsLinux())
            return;
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;
        var own = AssemblyLoadContext.GetLoadContext(typeof(TorchNativeLoader).Assembly);
        if (own is not null && own != AssemblyLoadContext.Default)
            own.ResolvingUnmanagedDll += Resolve;
    }

    /// <summary>The last failure's loader message, or a fresh probe of the application's library.</summary>
    public static string Explain(Assembly torchSharp)
    {
        string cause;
        lock (Gate)
            cause = s_failure ?? Probe(torchSharp);
        var hint = cause.Contains("GLIBCXX_", StringComparison.Ordinal)
            ? " The C++ runtime on this machine (libstdc++) is older than the one TorchSharp's native bridge was built against. " +
              "GradSentry marks GLIBCXX_3.4.32 WEAK (at build time through GradSentry.Core's buildTransitive targets, and at run time); " +
              "a version named here beyond that needs a newer libstdc++ (GCC 13 or later)."
            : cause.Contains("cannot open shared object file", StringComparison.Ordinal) || cause.Contains("was not found", StringComparison.Ordinal)
                ? " The application lacks TorchSharp's native files: reference GradSentry.Core (or libtorch-cpu-linux-x64 2.10.0) in the project that runs."
                : "";
        return "TorchSharp's native library could not be loaded: " + cause + hint;
    }

    /// <summary>The loader's own words from a <see cref="DllNotFoundException"/> message (.NET puts them after its advice).</summary>
    public static string LoaderCause(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var specific = lines.Where(l => l.Contains("not found", StringComparison.Ordinal) || l.Contains("cannot open", StringComparison.Ordinal)
                                        || l.Contains("undefined symbol", StringComparison.Ordinal) || l.Contains("wrong ELF class", StringComparison.Ordinal)).ToList();
        return specific.Count > 0 ? string.Join("; ", specific) : message.Trim();
    }

    /// <summary>The missing symbol version named by a loader message (<c>GLIBCXX_3.4.32</c>), or null.</summary>
    public static string? MissingVersion(string loaderMessage)
    {
        ArgumentNullException.ThrowIfNull(loaderMessage);
        var match = MissingVersionPattern().Match(loaderMessage);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>
    /// Writes (once) a copy of <paramref name="library"/> with the requirement <paramref name="version"/> marked WEAK
    /// under <paramref name="cacheRoot"/>/HASH/, and returns its path; null when the library does not require it.
    /// </summary>
    public static string? WritePatchedCopy(string library, string version, string cacheRoot)
    {
        var bytes = File.ReadAllBytes(library);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
        var target = Path.Combine(cacheRoot, hash + "-" + version, Path.GetFileName(library));
        if (File.Exists(target))
            return target;
        if (ElfVersioning.MarkRequirementWeak(bytes, version) != ElfVersioning.PatchResult.Patched)
            return null;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, target, overwrite: true);
        return target;
    }

    /// <summary>The folder patched copies go to: <c>$XDG_CACHE_HOME/gradsentry/native</c>, else <c>~/.cache/...</c>, else the temp folder.</summary>
    public static string CacheRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var root = !string.IsNullOrEmpty(xdg) ? xdg : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache") : Path.GetTempPath();
        return Path.Combine(root, "gradsentry", "native");
    }

    static IntPtr Resolve(Assembly assembly, string name)
    {
        if (!string.Equals(name, "LibTorchSharp", StringComparison.Ordinal) && !string.Equals(name, LibraryFile, StringComparison.Ordinal))
            return IntPtr.Zero;
        lock (Gate)
        {
            var library = Find(assembly);
            if (library is null)
            {
                s_failure = NotFound(assembly);
                return IntPtr.Zero;
            }

            if (TryLoad(library, out var handle, out var cause))
                return handle;
            s_failure = cause;
            if (MissingVersion(cause) is not { } version || !version.StartsWith("GLIBCXX_", StringComparison.Ordinal))
                return IntPtr.Zero;
            try
            {
                var copy = WritePatchedCopy(library, version, CacheRoot());
                if (copy is null)
                    return IntPtr.Zero;
                // The copy lives elsewhere, so its $ORIGIN runpath no longer finds libtorch: load those first, by path.
                var folder = Path.GetDirectoryName(library)!;
                foreach (var sibling in Siblings.Select(s => Path.Combine(folder, s)).Where(File.Exists))
                    NativeLibrary.TryLoad(sibling, out _);
                if (TryLoad(copy, out handle, out var copyCause))
                {
                    PatchedCopy = copy;
                    s_failure = null;
                    return handle;
                }

                s_failure = $"{cause} (and with {version} marked WEAK in {copy}: {copyCause})";
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or IndexOutOfRangeException or ArgumentException)
            {
                s_failure = $"{cause} (a copy with {version} marked WEAK could not be written: {ex.Message})";
            }

            return IntPtr.Zero;
        }
    }

    static string Probe(Assembly torchSharp)
    {
        var library = Find(torchSharp);
        if (library is null)
            return NotFound(torchSharp);
        return TryLoad(library, out _, out var cause) ? $"{library} loads, but TorchSharp did not initialise" : cause;
    }

    static bool TryLoad(string path, out IntPtr handle, [NotNullWhen(false)] out string? cause)
    {
        try
        {
            handle = NativeLibrary.Load(path);
            cause = null;
            return true;
        }
        catch (DllNotFoundException ex)
        {
            handle = IntPtr.Zero;
            cause = LoaderCause(ex.Message);
            return false;
        }
        catch (BadImageFormatException ex)
        {
            handle = IntPtr.Zero;
            cause = LoaderCause(ex.Message);
            return false;
        }
    }

    /// <summary>The application's libLibTorchSharp.so: the runtime's native search folders, then TorchSharp's own folders.</summary>
    static string? Find(Assembly assembly) => Candidates(assembly).FirstOrDefault(File.Exists);

    static IEnumerable<string> Candidates(Assembly assembly)
    {
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string directories)
        {
            foreach (var directory in directories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                yield return Path.Combine(directory, LibraryFile);
        }

        var own = string.IsNullOrEmpty(assembly.Location) ? AppContext.BaseDirectory : Path.GetDirectoryName(assembly.Location)!;
        yield return Path.Combine(own, LibraryFile);
        yield return Path.Combine(own, "runtimes", "linux-x64", "native", LibraryFile);
        // TorchSharp loaded from the NuGet cache (lib/net6.0/TorchSharp.dll): the package's runtimes folder.
        yield return Path.GetFullPath(Path.Combine(own, "..", "..", "runtimes", "linux-x64", "native", LibraryFile));
    }

    static string NotFound(Assembly assembly) =>
        $"{LibraryFile} was not found (looked in: {string.Join(", ", Candidates(assembly).Select(Path.GetDirectoryName).Distinct())})";

    [GeneratedRegex(@"version `([A-Za-z_]+[0-9][0-9.]*)' not found")]
    private static partial Regex MissingVersionPattern();
}
