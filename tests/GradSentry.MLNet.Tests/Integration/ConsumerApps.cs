using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using GradSentry.MLNet.Tests.Support;

namespace GradSentry.MLNet.Tests.Integration;

/// <summary>
/// Console apps outside the repository that use GradSentry.MLNet as a newcomer would: by a ProjectReference to
/// src/GradSentry.MLNet, or by a PackageReference restored from a local feed that holds GradSentry.Core and
/// GradSentry.MLNet packed from this build (a version of their own, <c>0.1.0-ci.TICKS</c>, so no cached copy is ever
/// served). Restores use an isolated packages folder with the machine's global one as a read-only fallback.
/// </summary>
public sealed class ConsumerApps : IDisposable
{
    static readonly string Configuration =
        typeof(ConsumerApps).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    readonly TempDirectory _root = TestPaths.NewTempDirectory();
    string? _feed;

    public ConsumerApps()
    {
        // Nothing above the temporary root may leak in (no repository props, no central package management).
        File.WriteAllText(Path.Combine(_root.Path, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(_root.Path, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(_root.Path, "Directory.Packages.props"), "<Project />");
        PackagesFolder = Path.Combine(_root.Path, "nuget-packages");
        Version = "0.1.0-ci." + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The isolated NuGet packages folder.</summary>
    public string PackagesFolder { get; }

    /// <summary>The version the packages are packed with.</summary>
    public string Version { get; }

    /// <summary>The temporary root.</summary>
    public string Root => _root.Path;

    /// <summary>The local feed with GradSentry.Core and GradSentry.MLNet, packed on first use.</summary>
    public string Feed => _feed ??= Pack();

    /// <summary>
    /// Writes a console app in <paramref name="name"/> whose project holds <paramref name="reference"/> and whose
    /// program runs <c>GradSentry().Append(GradSentryFilter())</c> on the JSON Lines file given as its argument and
    /// prints the kept rows, and the MLContext log's warnings on standard error.
    /// </summary>
    public string WriteApp(string name, string reference)
    {
        var directory = Path.Combine(_root.Path, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                {reference}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using System.Text.Json;
            using Microsoft.ML;

            var ml = new MLContext(seed: 0);
            ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) Console.Error.WriteLine("warning: " + e.Message); };
            var rows = File.ReadLines(args[0]).Where(l => l.Length > 0).Select(l =>
            {
                using var doc = JsonDocument.Parse(l);
                return new Row { Prompt = doc.RootElement.GetProperty("prompt").GetString()!, Response = doc.RootElement.GetProperty("response").GetString()! };
            }).ToList();
            var data = ml.Data.LoadFromEnumerable(rows);
            using var model = ml.Transforms.GradSentry().Append(ml.Transforms.GradSentryFilter()).Fit(data);
            var kept = ml.Data.CreateEnumerable<Row>(model.Transform(data), reuseRowObject: false).ToList();
            foreach (var row in kept)
                Console.WriteLine("kept: " + row.Response);
            Console.WriteLine($"kept {kept.Count} of {rows.Count} rows");

            public sealed class Row
            {
                public string Prompt { get; set; } = "";
                public string Response { get; set; } = "";
            }
            """);
        return directory;
    }

    /// <summary>A NuGet.config in <paramref name="directory"/>: the local feed for GradSentry.*, nuget.org for the rest, the global packages folder as a fallback.</summary>
    public void WriteNuGetConfig(string directory)
    {
        var global = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(directory, "NuGet.config"), $"""
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
              <fallbackPackageFolders>
                <add key="global" value="{global}" />
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/> in <paramref name="directory"/>: exit code and all output.</summary>
    public (int ExitCode, string Output) Run(string directory, params string[] args)
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
            info.ArgumentList.Add(arg);
        // The test host runs under MSBuild's VSTest task: none of its MSBuild settings may reach the child build.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(name);
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
        if (!process.WaitForExit(TimeSpan.FromMinutes(6)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} in {directory} ran over 6 minutes");
        }

        process.WaitForExit();
        lock (gate)
            return (process.ExitCode, string.Join(Environment.NewLine, lines));
    }

    public void Dispose() => _root.Dispose();

    string Pack()
    {
        var feed = Path.Combine(_root.Path, "feed");
        foreach (var project in new[] { "GradSentry.Core", "GradSentry.MLNet" })
        {
            var (code, output) = Run(TestPaths.RepoRoot, "pack", Path.Combine(TestPaths.RepoRoot, "src", project, project + ".csproj"),
                "-c", Configuration, "--no-build", "-o", feed, "-p:Version=" + Version, "-nologo");
            if (code != 0)
                throw new InvalidOperationException($"packing {project} failed (build the solution in {Configuration} first): {output}");
        }

        return feed;
    }
}
