using System.Diagnostics;
using System.Text.Json;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.Build;

/// <summary>build/GradSentry.Torch.targets: CPU natives by default, CUDA natives only when asked at build time.</summary>
public class TorchBackendSwitchTests
{
    static string CoreProject => Path.Combine(TestPaths.RepoRoot, "src", "GradSentry.Core", "GradSentry.Core.csproj");

    static List<string> PackageReferences(string? backend)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "msbuild", CoreProject, "-getItem:PackageReference", "-nologo" }) start.ArgumentList.Add(a);
        if (backend != null) start.ArgumentList.Add("-p:GradSentryTorchBackend=" + backend);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output + error);
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(e => e.GetProperty("Identity").GetString()!).ToList();
    }

    [Fact]
    public void DefaultBuildReferencesOnlyTheCpuNatives()
    {
        var references = PackageReferences(null);
        Assert.Contains("libtorch-cpu-linux-x64", references);
        Assert.DoesNotContain(references, r => r.Contains("cuda", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void CudaBackendSwapsTheNativePackage()
    {
        var references = PackageReferences("cuda");
        Assert.Contains("TorchSharp-cuda-linux", references);
        Assert.DoesNotContain("libtorch-cpu-linux-x64", references);
    }

    [Fact]
    public void DefaultRestoreNeverResolvedACudaPackage()
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "src", "GradSentry.Core", "obj", "project.assets.json")));
        var packages = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("libtorch-cpu-linux-x64/2.10.0", packages);
        // (The word also occurs in TorchSharp's own file list, e.g. TorchSharp.xml mentions torch.cuda.)
        Assert.DoesNotContain(packages, p => p.Contains("cuda", StringComparison.OrdinalIgnoreCase));
    }
}
