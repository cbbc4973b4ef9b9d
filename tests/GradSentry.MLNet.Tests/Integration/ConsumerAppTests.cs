using GradSentry.MLNet.Tests.Support;

namespace GradSentry.MLNet.Tests.Integration;

/// <summary>The serial collection of tests that build projects outside the repository (the machine has few cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsumerAppsSerial : ICollectionFixture<ConsumerApps>
{
    public const string Name = "consumer apps";
}

/// <summary>
/// A newcomer's console app outside the repository: <c>mlContext.Transforms.GradSentry().Append(GradSentryFilter())</c>
/// on the sample data builds, loads libtorch (the GLIBCXX fix reaches it) and prints the kept rows, whether the app
/// references the packed packages or the project.
/// </summary>
[Collection(ConsumerAppsSerial.Name)]
public sealed class ConsumerAppTests(ConsumerApps apps)
{
    static string SampleData => Path.Combine(TestPaths.RepoRoot, "samples", "data", "qa-sample.jsonl");

    [Fact]
    public void AnAppWithAPackageReferenceFromTheLocalFeedRunsThePipelineAndPrintsTheKeptRows()
    {
        var app = apps.WriteApp("PackageApp", $"""<PackageReference Include="GradSentry.MLNet" Version="{apps.Version}" />""");
        apps.WriteNuGetConfig(app);

        var build = apps.Run(app, "build", "-c", "Release", "-nologo", "-tl:off");
        Assert.True(build.ExitCode == 0, build.Output);
        var run = apps.Run(app, "run", "--no-build", "-c", "Release", "--", SampleData);

        AssertRanThePipeline(run);
        // The demo model came with the package (contentFiles), and the build-time patch came with GradSentry.Core's buildTransitive.
        Assert.True(File.Exists(Path.Combine(app, "bin", "Release", "net10.0", "models", "tiny-llama", "model.safetensors")));
        Assert.True(Directory.Exists(Path.Combine(app, "obj", "Release", "net10.0", "gradsentry-native")), build.Output);
    }

    [Fact]
    public void AnAppWithAProjectReferenceToTheSourceRunsThePipeline()
    {
        var app = ProjectReferenceApp();

        var run = apps.Run(app, "run", "--no-build", "-c", "Release", "--", SampleData);

        AssertRanThePipeline(run);
    }

    [Fact]
    public void WhenLibtorchCannotLoadTheErrorGivesTheLoadersOwnReason()
    {
        var app = ProjectReferenceApp();
        var output = Path.Combine(app, "bin", "Release", "net10.0");
        var broken = Path.Combine(apps.Root, "broken-output");
        CopyDirectory(output, broken);
        File.Delete(Path.Combine(broken, "runtimes", "linux-x64", "native", "libc10.so"));

        var run = apps.Run(broken, "ProjectApp.dll", SampleData);

        Assert.True(run.ExitCode != 0, run.Output);
        Assert.Contains("GradSentry.TorchLoadException: TorchSharp's native library could not be loaded: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("libc10.so: cannot open shared object file", run.Output, StringComparison.Ordinal);
    }

    string ProjectReferenceApp()
    {
        var app = Path.Combine(apps.Root, "ProjectApp");
        if (File.Exists(Path.Combine(app, "bin", "Release", "net10.0", "ProjectApp.dll")))
            return app;
        apps.WriteApp("ProjectApp", $"""<ProjectReference Include="{Path.Combine(TestPaths.RepoRoot, "src", "GradSentry.MLNet", "GradSentry.MLNet.csproj")}" />""");
        // The referenced projects are already built in Release; building the app must not rebuild them in parallel with other tests.
        var build = apps.Run(app, "build", "-c", "Release", "-nologo", "-tl:off");
        Assert.True(build.ExitCode == 0, build.Output);
        return app;
    }

    static void AssertRanThePipeline((int ExitCode, string Output) run)
    {
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("bundled demo model", run.Output, StringComparison.Ordinal);
        var summary = run.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("kept ", StringComparison.Ordinal) && l.EndsWith(" rows", StringComparison.Ordinal));
        Assert.EndsWith(" of 200 rows", summary, StringComparison.Ordinal);
        var kept = int.Parse(summary.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(kept, 1, 200);
        Assert.Equal(kept, run.Output.Split('\n').Count(l => l.StartsWith("kept: ", StringComparison.Ordinal)));
        Assert.DoesNotContain("doesn't contain a reference", run.Output, StringComparison.Ordinal);
    }

    static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
