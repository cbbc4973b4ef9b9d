using System.Diagnostics;

namespace GradSentry.Build.Tests;

/// <summary>
/// build/pack.sh chooses its version without touching the NuGet cache: the repository's version on a cache that does
/// not hold it, a distinct <c>VERSION-local.TIMESTAMP</c> when an earlier pack was restored (a re-pack of the same
/// version would leave the cached copy in use). Run with <c>GRADSENTRY_PACK_DRY_RUN=1</c>, which stops before packing.
/// </summary>
public sealed class PackScriptTests : IDisposable
{
    readonly TempDirectory _cache = TestPaths.NewTempDirectory();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public void AFreshCachePacksTheRepositoryVersion()
    {
        var (code, output) = DryRun();

        Assert.True(code == 0, output);
        Assert.Contains("version: 0.1.0\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ACachedVersionGetsADistinctLocalVersionAndTheCacheIsLeftAlone()
    {
        var cached = Directory.CreateDirectory(Path.Combine(_cache.Path, "gradsentry.tool", "0.1.0")).FullName;
        File.WriteAllText(Path.Combine(cached, "gradsentry.tool.nuspec"), "<package />");

        var (code, output) = DryRun();

        Assert.True(code == 0, output);
        Assert.Matches(@"version: 0\.1\.0-local\.\d{14}\n", output);
        Assert.True(File.Exists(Path.Combine(cached, "gradsentry.tool.nuspec")), "pack.sh must not delete anything from the NuGet cache");
    }

    (int Code, string Output) DryRun()
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(TestPaths.RepoRoot, "build", "pack.sh"));
        info.Environment["NUGET_PACKAGES"] = _cache.Path;
        info.Environment["GRADSENTRY_PACK_DRY_RUN"] = "1";
        info.Environment.Remove("GRADSENTRY_PACK_VERSION");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
