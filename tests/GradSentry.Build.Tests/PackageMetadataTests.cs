using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GradSentry.Build.Tests;

/// <summary>Every package build/pack.sh packs carries a readme, an icon and a licence (the list is read from pack.sh itself).</summary>
public partial class PackageMetadataTests
{
    [GeneratedRegex(@"^ids=\(([^)]*)\)", RegexOptions.Multiline)]
    private static partial Regex PackedIds();

    public static TheoryData<string> PackedPackages()
    {
        var script = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "build", "pack.sh"));
        var data = new TheoryData<string>();
        foreach (var id in PackedIds().Match(script).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)) data.Add(id);
        return data;
    }

    [Theory]
    [MemberData(nameof(PackedPackages))]
    public void EveryPackedPackageHasAReadmeAnIconAndALicence(string id)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "msbuild", Path.Combine(TestPaths.RepoRoot, "src", id, id + ".csproj"), "-getProperty:PackageIcon", "-getProperty:PackageLicenseExpression", "-getProperty:PackageReadmeFile", "-getItem:None" })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output + process.StandardError.ReadToEnd());

        using var json = JsonDocument.Parse(output);
        var properties = json.RootElement.GetProperty("Properties");
        Assert.Equal("icon.png", properties.GetProperty("PackageIcon").GetString());
        // The packages that carry the demo model (trained on NQ-open rows) name its CC BY-SA 3.0 licence too.
        var shipsDemoModel = id is "GradSentry.MLNet" or "GradSentry.Tool";
        Assert.Equal(shipsDemoModel ? "MIT AND CC-BY-SA-3.0" : "MIT", properties.GetProperty("PackageLicenseExpression").GetString());
        Assert.Equal("README.md", properties.GetProperty("PackageReadmeFile").GetString());
        var packed = json.RootElement.GetProperty("Items").GetProperty("None").EnumerateArray()
            .Where(item => item.TryGetProperty("Pack", out var pack) && pack.GetString() == "true")
            // The name inside the package: PackagePath when it names a file (GradSentry.Build packs docs/msbuild.md as README.md).
            .Select(item => item.TryGetProperty("PackagePath", out var at) && Path.GetFileName(at.GetString()) is { Length: > 0 } name ? name
                : Path.GetFileName(item.GetProperty("FullPath").GetString()!)).ToList();
        Assert.Contains("icon.png", packed);
        Assert.Contains("README.md", packed);
        Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, "LICENSE")));
    }
}
