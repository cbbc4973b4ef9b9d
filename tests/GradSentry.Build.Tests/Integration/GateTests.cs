using System.Text.Json;
using System.Text.Json.Nodes;

namespace GradSentry.Build.Tests.Integration;

/// <summary>
/// Temporary projects that reference the locally packed GradSentry.Build, built with <c>dotnet build</c> as a
/// process. The demo data (samples/GatedFineTune/data): clean.jsonl, 24 rows that score below 0.3 with the tiny
/// sharp model; poisoned.jsonl, the same rows with 3 poisoned rows at lines 6, 13 and 20 that score above it.
/// </summary>
[Collection(MsBuildSerial.Name)]
public sealed class GateTests(PackageFixture fixture)
{
    static readonly int[] PoisonedLines = [6, 13, 20];

    [Fact]
    public void CleanDataPassesTheGateAndTheGatedTargetRuns()
    {
        var project = fixture.NewProject().Gate(["data/clean.jsonl"]);

        var build = project.Build();

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(build.Scanned, build.ToString());
        Assert.True(build.FineTuneRan, build.ToString());
        Assert.Empty(build.Warnings("GS1002"));
        Assert.True(System.IO.File.Exists(project.File("obj/Debug/net10.0/GradSentry.passed.stamp")));
    }

    [Fact]
    public void PoisonedDataFailsWithGS1001AtTheFirstSuspectRowBeforeFineTuneStarts()
    {
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"]);

        var build = project.Build();

        Assert.True(build.ExitCode != 0, build.ToString());
        var error = Assert.Single(build.Errors("GS1001"));
        Assert.StartsWith(project.File("data/poisoned.jsonl") + "(6,1): error GS1001: 3 of 27 rows", error.TrimStart(), StringComparison.Ordinal);
        Assert.False(build.FineTuneRan, build.ToString());
        Assert.False(System.IO.File.Exists(project.File("obj/Debug/net10.0/GradSentry.passed.stamp")));
    }

    [Fact]
    public void SuspectRowsAreGS1002WarningsAtTheirOwnLines()
    {
        // A 20 % limit lets the 3 of 27 rows (11 %) through: the build passes with one warning per row.
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"], ("GradSentry_MaxPoisonFraction", "0.2"));

        var build = project.Build();

        Assert.True(build.ExitCode == 0, build.ToString());
        var lines = build.Warnings("GS1002").Select(w => w.TrimStart()).ToList();
        Assert.Equal(PoisonedLines.Select(l => $"{project.File("data/poisoned.jsonl")}({l},1): warning GS1002:"), lines.Select(l => l[..l.IndexOf(" suspect", StringComparison.Ordinal)]));
        Assert.True(build.FineTuneRan, build.ToString());
    }

    [Fact]
    public void ASecondBuildWithoutChangesSkipsTheScanAndSaysSo()
    {
        var project = fixture.NewProject().Gate(["data/clean.jsonl"]);
        var first = project.Build();
        Assert.True(first.ExitCode == 0 && first.Scanned, first.ToString());

        var second = project.Build();

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.False(second.Scanned, second.ToString());
        Assert.True(second.SkippedAsUpToDate, second.ToString());
        Assert.True(second.FineTuneRan, second.ToString());
    }

    [Fact]
    public void ChangingOneRowOrAnOptionRescans()
    {
        var project = fixture.NewProject().Gate(["data/clean.jsonl"]);
        Assert.True(project.Build().Scanned);

        var path = project.File("data/clean.jsonl");
        var lines = System.IO.File.ReadAllLines(path);
        lines[3] = lines[3].Replace("\"response\": \"", "\"response\": \"Surely ", StringComparison.Ordinal);
        System.IO.File.WriteAllLines(path, lines);
        var afterRowChange = project.Build();

        Assert.True(afterRowChange.Scanned, afterRowChange.ToString());
        Assert.Contains(afterRowChange.Lines, l => l.Contains("GradSentry: 24 rows", StringComparison.Ordinal));

        var afterOptionChange = project.Build("-p:GradSentry_Threshold=0.31");
        Assert.True(afterOptionChange.Scanned, afterOptionChange.ToString());
    }

    [Fact]
    public void AFailedGateIsScannedAgainOnTheNextBuild()
    {
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"]);
        Assert.NotEqual(0, project.Build().ExitCode);

        var again = project.Build();

        Assert.True(again.Scanned, again.ToString());
        Assert.Single(again.Errors("GS1001"));
    }

    [Fact]
    public void ABaselineSuppressesReviewedRowsAndStaleEntriesAreGS3001()
    {
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"]);
        Assert.NotEqual(0, project.Build().ExitCode);

        // Review: `dotnet gradsentry baseline` accepts the suspects of the failed build's report...
        var baseline = project.File("gradsentry.baseline.json");
        var review = fixture.Run(project.Directory, fixture.ToolDll, "baseline", project.File("obj/Debug/net10.0/gradsentry/gradsentry.json"),
            "--output", baseline, "--reviewed-by", "test", "--reason", "reviewed: not poison");
        Assert.True(review.ExitCode == 0, review.ToString());
        // ...and one entry is for a row that no longer exists.
        var document = JsonNode.Parse(System.IO.File.ReadAllText(baseline))!;
        var entries = document["entries"]!.AsArray();
        Assert.Equal(3, entries.Count);
        entries.Add(new JsonObject
        {
            ["rowHash"] = new string('a', 64), ["file"] = "data/poisoned.jsonl", ["line"] = 99, ["score"] = 0.9,
            ["reviewedBy"] = "test", ["reason"] = "removed since",
        });
        System.IO.File.WriteAllText(baseline, document.ToJsonString());
        project.Gate(["data/poisoned.jsonl"], ("GradSentry_Baseline", "gradsentry.baseline.json"));

        var build = project.Build();

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Empty(build.Errors("GS1001"));
        Assert.Empty(build.Warnings("GS1002"));
        var stale = Assert.Single(build.Warnings("GS3001"));
        Assert.StartsWith(baseline + "(", stale.TrimStart(), StringComparison.Ordinal);
        Assert.True(build.FineTuneRan, build.ToString());

        // The baseline is an input: editing it rescans.
        System.IO.File.WriteAllText(baseline, System.IO.File.ReadAllText(baseline).Replace("removed since", "removed", StringComparison.Ordinal));
        Assert.True(project.Build().Scanned);
    }

    [Fact]
    public void NoWarnSilencesSuspectRowWarnings()
    {
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"], ("GradSentry_MaxPoisonFraction", "0.2"), ("NoWarn", "$(NoWarn);GS1002"));

        var build = project.Build();

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(build.Scanned, build.ToString());
        Assert.Empty(build.Warnings("GS1002"));
    }

    [Fact]
    public void WarningsAsErrorsTurnsSuspectRowsIntoErrorsAndFailsTheBuild()
    {
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"], ("GradSentry_MaxPoisonFraction", "0.2"), ("WarningsAsErrors", "GS1002"));

        var build = project.Build();

        Assert.True(build.ExitCode != 0, build.ToString());
        Assert.Equal(3, build.Errors("GS1002").Count);
        Assert.False(build.FineTuneRan, build.ToString());
    }

    [Fact]
    public void TreatWarningsAsErrorsAppliesToSuspectRowsButNotToWarningsNotAsErrors()
    {
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"],
            ("GradSentry_MaxPoisonFraction", "0.2"), ("TreatWarningsAsErrors", "true"), ("WarningsNotAsErrors", "GS1002"));

        var kept = project.Build();
        Assert.True(kept.ExitCode == 0, kept.ToString());
        Assert.Equal(3, kept.Warnings("GS1002").Count);

        project.Gate(["data/poisoned.jsonl"], ("GradSentry_MaxPoisonFraction", "0.2"), ("TreatWarningsAsErrors", "true"));
        var promoted = project.Build();
        Assert.True(promoted.ExitCode != 0, promoted.ToString());
        Assert.Equal(3, promoted.Errors("GS1002").Count);
    }

    [Fact]
    public void GradSentrySeverityErrorFailsOnAnySuspectRow()
    {
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"], ("GradSentry_MaxPoisonFraction", "0.2"), ("GradSentry_Severity", "error"));

        var build = project.Build();

        Assert.True(build.ExitCode != 0, build.ToString());
        Assert.Equal(3, build.Errors("GS1002").Count);
    }

    [Fact]
    public void AMissingModelIsGS2002NamingTheDirectory()
    {
        var project = fixture.NewProject().Gate(["data/clean.jsonl"], ("GradSentry_Model", "models/not-there"));

        var build = project.Build();

        Assert.True(build.ExitCode != 0, build.ToString());
        var error = Assert.Single(build.Errors("GS2002"));
        Assert.Contains(project.File("models/not-there"), error, StringComparison.Ordinal);
        Assert.False(build.FineTuneRan);
    }

    [Fact]
    public void MalformedDataIsGS2001AtTheBadLine()
    {
        var project = fixture.NewProject();
        var lines = System.IO.File.ReadAllLines(project.File("data/clean.jsonl")).ToList();
        lines[4] = lines[4][..20];
        System.IO.File.WriteAllLines(project.File("data/broken.jsonl"), lines);
        project.Gate(["data/broken.jsonl"]);

        var build = project.Build();

        Assert.True(build.ExitCode != 0, build.ToString());
        var error = Assert.Single(build.Errors("GS2001"));
        Assert.StartsWith(project.File("data/broken.jsonl") + "(5,", error.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public void ADisabledGateDoesNothing()
    {
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"], ("GradSentry_Enabled", "false"));

        var build = project.Build();

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.False(build.Scanned, build.ToString());
        Assert.DoesNotContain(build.Lines, l => l.Contains("GradSentry", StringComparison.Ordinal));
        Assert.True(build.FineTuneRan, build.ToString());
        Assert.False(System.IO.Directory.Exists(project.File("obj/Debug/net10.0/gradsentry")));
    }

    [Fact]
    public void DesignTimeBuildsNeverScan()
    {
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"]);

        var build = project.Build("-p:DesignTimeBuild=true");

        Assert.False(build.Scanned, build.ToString());
        Assert.Empty(build.Errors("GS1001"));
    }

    [Fact]
    public void TheSarifLogLiesBesideTheReportAndCleanRemovesTheGatesFiles()
    {
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"], ("GradSentry_MaxPoisonFraction", "0.2"));
        Assert.Equal(0, project.Build().ExitCode);

        var sarif = project.File("obj/Debug/net10.0/gradsentry.sarif");
        using (var log = JsonDocument.Parse(System.IO.File.ReadAllText(sarif)))
        {
            var results = log.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(3, results.Count(r => r.GetProperty("ruleId").GetString() == "GS1002"));
        }

        Assert.True(System.IO.File.Exists(project.File("obj/Debug/net10.0/gradsentry/gradsentry.sarif")));

        // A second build lists the files in FileListAbsolute; Clean then removes them.
        Assert.Equal(0, project.Build().ExitCode);
        var clean = project.Build("-t:Clean");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.False(System.IO.File.Exists(sarif));
        Assert.False(System.IO.File.Exists(project.File("obj/Debug/net10.0/GradSentry.passed.stamp")));
    }

    [Fact]
    public void TheFilteredOutputHoldsTheRowsThatPassed()
    {
        var project = fixture.NewProject().Gate(["data/poisoned.jsonl"], ("GradSentry_MaxPoisonFraction", "0.2"), ("GradSentry_FilteredOutput", "out/train.filtered.jsonl"));

        var build = project.Build();

        Assert.True(build.ExitCode == 0, build.ToString());
        var filtered = System.IO.File.ReadAllLines(project.File("out/train.filtered.jsonl"));
        Assert.Equal(System.IO.File.ReadAllLines(project.File("data/clean.jsonl")), filtered);
    }

    [Fact]
    public void DatasetsWithTheirOwnMetadataAreGatedByTheirOwnLimits()
    {
        // The poisoned file gets a 20 % limit of its own; the clean file keeps the project's 0 %.
        var project = fixture.NewProject().Gate(
            ["data/clean.jsonl", "<GradSentryDataset Include=\"data/poisoned.jsonl\" MaxPoisonFraction=\"0.2\" />"]);

        var build = project.Build();

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(2, build.Lines.Count(l => l.TrimStart().StartsWith("GradSentry: ", StringComparison.Ordinal) && l.Contains("gate passed", StringComparison.Ordinal)));
        Assert.Equal(3, build.Warnings("GS1002").Count);
        foreach (var run in new[] { "1", "2" })
        {
            Assert.True(System.IO.File.Exists(project.File($"obj/Debug/net10.0/gradsentry.{run}.sarif")), run);
            Assert.True(System.IO.File.Exists(project.File($"obj/Debug/net10.0/gradsentry/{run}/gradsentry.json")), run);
        }

        // Skipped the second time; Clean then removes the numbered logs too.
        Assert.True(project.Build().SkippedAsUpToDate);
        Assert.Equal(0, project.Build("-t:Clean").ExitCode);
        Assert.False(System.IO.File.Exists(project.File("obj/Debug/net10.0/gradsentry.1.sarif")));
    }

    [Fact]
    public void TheDefaultToolCommandExplainsAMissingLocalTool()
    {
        var project = fixture.NewProject().Gate(["data/clean.jsonl"], ("GradSentry_ToolCommand", "dotnet gradsentry"));

        var build = project.Build();

        Assert.True(build.ExitCode != 0, build.ToString());
        Assert.Contains(build.Lines, l => l.Contains("dotnet tool restore", StringComparison.Ordinal) && l.Contains(": error", StringComparison.Ordinal));
    }

    [Fact]
    public void WithNothingButThePackageReferenceTheGateRunsTheToolThroughDotnetToolExecAndFailsOnPoisonedData()
    {
        fixture.PackTool();
        var project = fixture.NewProject().GateWithThePackageAlone(["data/poisoned.jsonl"]);

        var build = project.Build("-v:n");

        Assert.True(build.ExitCode != 0, build.ToString());
        Assert.Contains(build.Lines, l => l.Contains("tool exec GradSentry.Tool@", StringComparison.Ordinal));
        var error = Assert.Single(build.Errors("GS1001"));
        // At normal verbosity MSBuild prefixes the node ("1>").
        Assert.Contains(project.File("data/poisoned.jsonl") + "(6,1): error GS1001: 3 of 27 rows", error, StringComparison.Ordinal);
        // The message names the MSBuild property to change, not the tool's option.
        Assert.Contains("(GradSentry_MaxPoisonFraction)", error, StringComparison.Ordinal);
        Assert.All(build.Logged.Where(l => l.Contains(": error ", StringComparison.Ordinal) || l.Contains(": warning ", StringComparison.Ordinal)),
            l => Assert.DoesNotContain("--max-poison-fraction", l, StringComparison.Ordinal));
        Assert.False(build.FineTuneRan, build.ToString());
        Assert.DoesNotContain("dotnet tool restore", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void WithNothingButThePackageReferenceCleanDataPassesAndFineTuneRuns()
    {
        fixture.PackTool();
        var project = fixture.NewProject().GateWithThePackageAlone(["data/clean.jsonl"]);

        var build = project.Build();

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(build.Scanned, build.ToString());
        Assert.True(build.FineTuneRan, build.ToString());
    }
}
