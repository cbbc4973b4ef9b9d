using GradSentry.Build.Native;

namespace GradSentry.Tests.Build;

/// <summary>
/// The build step that lets TorchSharp's native bridge load on hosts with an older libstdc++
/// (build/GradSentry.NativePatch.targets + build/tasks/ElfWeakVersionPatcher.cs).
/// </summary>
public class ElfWeakVersionPatcherTests
{
    const string Version = "GLIBCXX_3.4.32";

    static string OutputLibrary => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    static string PackageLibrary
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        }
    }

    static string? HostLibstdcxx => new[]
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6",
    }.FirstOrDefault(File.Exists);

    [Fact]
    public void PackageCopyRequiresTheVersionStrictlyAndIsNeverWritten()
    {
        Assert.True(File.Exists(PackageLibrary), PackageLibrary);
        var requirement = ElfVersioning.Requirements(File.ReadAllBytes(PackageLibrary)).Single(r => r.Item1 == Version);
        Assert.False(requirement.Item2, "the NuGet cache copy must stay untouched");
    }

    [Fact]
    public void BuildOutputCopyIsWeakExactlyWhenTheHostLacksTheVersion()
    {
        var host = HostLibstdcxx;
        Assert.NotNull(host);
        var hostHasIt = ElfVersioning.DefinesVersion(File.ReadAllBytes(host), Version);
        var requirement = ElfVersioning.Requirements(File.ReadAllBytes(OutputLibrary)).Single(r => r.Item1 == Version);
        Assert.Equal(!hostHasIt, requirement.Item2);
    }

    [Fact]
    public void PatchChangesOnlyTheFlagBytesAndIsIdempotent()
    {
        var original = File.ReadAllBytes(PackageLibrary);
        var once = (byte[])original.Clone();
        Assert.Equal(ElfVersioning.PatchResult.Patched, ElfVersioning.MarkRequirementWeak(once, Version));
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != once[i]).ToList();
        Assert.Single(changed);

        var twice = (byte[])once.Clone();
        Assert.Equal(ElfVersioning.PatchResult.AlreadyWeak, ElfVersioning.MarkRequirementWeak(twice, Version));
        Assert.Equal(once, twice);
        // Every other requirement keeps its strictness.
        Assert.All(ElfVersioning.Requirements(once).Where(r => r.Item1 != Version), r => Assert.False(r.Item2));
    }

    [Fact]
    public void AbsentVersionIsReportedNotInvented()
    {
        var bytes = File.ReadAllBytes(PackageLibrary);
        Assert.Equal(ElfVersioning.PatchResult.NotRequired, ElfVersioning.MarkRequirementWeak(bytes, "GLIBCXX_9.9.9"));
    }

    [Fact]
    public void HostLibraryDefinitionsAreRead()
    {
        var host = HostLibstdcxx;
        Assert.NotNull(host);
        var bytes = File.ReadAllBytes(host);
        Assert.True(ElfVersioning.DefinesVersion(bytes, "GLIBCXX_3.4"));
        Assert.False(ElfVersioning.DefinesVersion(bytes, "GLIBCXX_99.0"));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 1, 1, 0, 0 })]
    public void NonElfOrTruncatedInputIsAnError(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => ElfVersioning.MarkRequirementWeak(bytes, Version));

    [Fact]
    public void SectionTableBeyondTheFileIsAnError()
    {
        var bytes = File.ReadAllBytes(PackageLibrary)[..4096];
        Assert.Throws<InvalidDataException>(() => ElfVersioning.MarkRequirementWeak(bytes, Version));
    }
}
