using System.Diagnostics;
using System.Reflection;

namespace GradSentry.Build.Tests.Integration;

/// <summary>
/// Once per test run: a temporary root with a NuGet.config whose local feed holds the GradSentry.Build package this
/// build packed (bin/.../feed, see the test project), an isolated NuGet folder (so a repacked 0.1.0 is never served
/// from a stale cache), and a template project restored once; every test copies the restored template.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    static readonly string Configuration =
        typeof(PackageFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    readonly TempDirectory _root = TestPaths.NewTempDirectory();
    int _projects;

    public PackageFixture()
    {
        Feed = Path.Combine(AppContext.BaseDirectory, "feed");
        if (!Directory.EnumerateFiles(Feed, "GradSentry.Build.*.nupkg").Any())
        {
            throw new InvalidOperationException($"No GradSentry.Build package in {Feed}: the test project packs it after its build.");
        }

        ToolDll = Path.Combine(TestPaths.RepoRoot, "src", "GradSentry.Tool", "bin", Configuration, "net10.0", "GradSentry.Tool.dll");
        if (!File.Exists(ToolDll))
        {
            throw new InvalidOperationException($"{ToolDll} is missing: build the solution (the test project references GradSentry.Tool to build it first).");
        }

        PackagesFolder = Path.Combine(_root.Path, "nuget-packages");
        File.WriteAllText(Path.Combine(_root.Path, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="gradsentry-local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="gradsentry-local"><package pattern="GradSentry.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        // Nothing above the temporary root may leak in.
        File.WriteAllText(Path.Combine(_root.Path, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(_root.Path, "Directory.Build.targets"), "<Project />");

        Template = Path.Combine(_root.Path, "template");
        Directory.CreateDirectory(Path.Combine(Template, "data"));
        File.WriteAllText(Path.Combine(Template, "Gated.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <EnableDefaultItems>false</EnableDefaultItems>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="GradSentry.Build" Version="0.1.0" />
              </ItemGroup>
              <Import Project="gate.props" Condition="Exists('gate.props')" />
              <Target Name="FineTune" AfterTargets="Build">
                <Message Importance="high" Text="FineTune: training on @(GradSentryDataset->'%(Filename)%(Extension)', ', ')" />
              </Target>
            </Project>
            """);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "samples", "GatedFineTune", "data"), "*.jsonl"))
        {
            File.Copy(file, Path.Combine(Template, "data", Path.GetFileName(file)));
        }

        var restore = Run(Template, "restore", "-nologo");
        if (restore.ExitCode != 0)
        {
            throw new InvalidOperationException("restoring the template project failed: " + restore);
        }
    }

    /// <summary>The local feed holding the packed GradSentry.Build.</summary>
    public string Feed { get; }

    /// <summary>The built tool, run as <c>dotnet GradSentry.Tool.dll</c>.</summary>
    public string ToolDll { get; }

    /// <summary>The isolated NuGet global packages folder.</summary>
    public string PackagesFolder { get; }

    /// <summary>The restored template project's folder.</summary>
    public string Template { get; }

    /// <summary>A tiny checkpoint whose scores spread enough for the demo data (see samples/GatedFineTune).</summary>
    public static string Model => TestPaths.GoldenModel("tiny-llama-sharp");

    /// <summary>
    /// Packs the built GradSentry.Tool (the version of GradSentry.Build) into <see cref="Feed"/>, once, for the tests
    /// in which the gate has to find the tool itself (<c>dotnet tool exec</c>); the other tests run the built DLL.
    /// </summary>
    public void PackTool()
    {
        lock (_packGate)
        {
            if (Directory.EnumerateFiles(Feed, "GradSentry.Tool.*.nupkg").Any())
            {
                return;
            }

            var project = Path.Combine(TestPaths.RepoRoot, "src", "GradSentry.Tool", "GradSentry.Tool.csproj");
            var pack = Run(TestPaths.RepoRoot, "pack", project, "-c", Configuration, "--no-build", "-o", Feed, "-nologo");
            if (pack.ExitCode != 0)
            {
                throw new InvalidOperationException("packing GradSentry.Tool failed: " + pack);
            }
        }
    }

    readonly Lock _packGate = new();

    /// <summary>A fresh copy of the restored template.</summary>
    public TestProject NewProject()
    {
        var directory = Path.Combine(_root.Path, "p" + Interlocked.Increment(ref _projects).ToString(System.Globalization.CultureInfo.InvariantCulture));
        CopyDirectory(Template, directory);
        return new TestProject(this, directory);
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/> in <paramref name="directory"/>.</summary>
    public BuildResult Run(string directory, params string[] args)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var info = new ProcessStartInfo(string.IsNullOrEmpty(host) ? "dotnet" : host)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The test host runs under MSBuild's VSTest task: none of its MSBuild settings may reach the child build.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["NUGET_PACKAGES"] = PackagesFolder;
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";

        using var process = Process.Start(info)!;
        var lines = new List<string>();
        var gate = new Lock();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) lines.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} in {directory} ran over 5 minutes");
        }

        process.WaitForExit();
        lock (gate)
        {
            return new BuildResult(process.ExitCode, [.. lines]);
        }
    }

    public void Dispose() => _root.Dispose();

    static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
