using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>A dataset rewritten while it is scanned never yields a filtered copy holding unscored rows (issue 16, item 6).</summary>
public class ScanDataChangedTests
{
    [Fact]
    public async Task ALineRewrittenDuringTheScanStopsTheFilteredOutput()
    {
        using var folder = new TempFolder();
        var data = TestData.WriteJsonl(folder.File("data.jsonl"), 600);
        using var scan = ToolProcess.Start(folder.Path, "scan", "data.jsonl", "--batch-size", "4", "--device", "cpu", "--cache", "cache",
            "--threshold", "0.999", "--filtered-output", "clean.jsonl");
        var stdout = scan.StandardOutput.ReadToEndAsync();
        var stderr = scan.StandardError.ReadToEndAsync();
        Assert.True(ScanReproducibilityTests.WaitForCacheRecords(folder.File("cache"), scan), "the scan ended before it wrote to the cache");

        // Row 1 (line 2) was read and scored already; rewrite it in place with the same length, as an editor or a sync job might.
        var lines = File.ReadAllLines(data);
        var original = lines[1];
        lines[1] = original.Replace("Question 1:", "Question X:", StringComparison.Ordinal);
        Assert.Equal(original.Length, lines[1].Length);
        File.WriteAllText(data, string.Join("\n", lines) + "\n");

        Assert.True(scan.WaitForExit(TimeSpan.FromMinutes(2)), "the scan did not finish");
        var errors = await stderr;
        _ = await stdout;
        Assert.True(scan.ExitCode == ExitCodes.UsageOrInputError, $"exit {scan.ExitCode}\n{errors}");
        Assert.Contains("data.jsonl(2,1): error GS2001", errors, StringComparison.Ordinal);
        Assert.Contains("changed after it was scored", errors, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("clean.jsonl")));
    }
}
