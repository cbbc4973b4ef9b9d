using System.Diagnostics;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>Ctrl+C (SIGINT) stops a scan quickly with exit code 130 and keeps the score cache.</summary>
public class ScanCancellationTests
{
    [Fact]
    public async Task InterruptStopsTheScanWithin2SecondsWithExit130AndKeepsTheCache()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 600);
        // Windows of 64 rows: the cache gets its first records after 64 rows, so SIGINT lands while most rows are still unscored.
        using var scan = ToolProcess.Start(folder.Path, "scan", "data.jsonl", "--batch-size", "4", "--window", "64", "--device", "cpu", "--cache", "cache", "--output", "report.json", "--format", "json");
        var stdout = scan.StandardOutput.ReadToEndAsync();
        var stderr = scan.StandardError.ReadToEndAsync();
        Assert.True(ScanReproducibilityTests.WaitForCacheRecords(folder.File("cache"), scan), "the scan ended before it wrote to the cache");

        using (var kill = Process.Start("kill", ["-INT", scan.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        var clock = Stopwatch.StartNew();
        Assert.True(scan.WaitForExit(TimeSpan.FromSeconds(10)), "the scan did not stop after SIGINT");
        var stopped = clock.Elapsed;

        Assert.True(scan.ExitCode == ExitCodes.Cancelled, $"exit {scan.ExitCode}\n{await stderr}");
        Assert.True(stopped < TimeSpan.FromSeconds(2), $"took {stopped.TotalSeconds:0.00} s to stop");
        Assert.Empty(await stdout);
        Assert.False(File.Exists(folder.File("report.json")));
        Assert.Contains(Directory.EnumerateFiles(folder.File("cache"), "*.gscache"), f => new FileInfo(f).Length > 0);
    }
}
