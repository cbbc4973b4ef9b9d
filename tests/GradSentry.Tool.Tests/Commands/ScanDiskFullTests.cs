using System.Text.Json;
using GradSentry.Tool.Output;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>
/// Outputs and the score cache on a disk that fills up (issue 16, item 4): one clear message naming the file, exit code 74,
/// no stack trace, nothing half-written left, a previous output unchanged, and a cache that holds only complete records.
/// The tool runs with a file size limit (<c>ulimit -f</c>), so its writes really fail in the kernel; /dev/full gives ENOSPC
/// for the stream-level test.
/// </summary>
public class ScanDiskFullTests
{
    const int Rows = 200;
    const int LimitKib = 16;
    const int CacheRecordBytes = ScanReproducibilityTests.CacheRecordBytes;

    static void AssertIoError(ToolResult result, string path)
    {
        Assert.True(result.ExitCode == ExitCodes.IoError, result.ToString());
        Assert.Contains($"cannot write '{path}'", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bug in GradSentry", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    static void AssertNoTemporaryFiles(TempFolder folder) =>
        Assert.DoesNotContain(folder.Files(), f => f.EndsWith(".tmp", StringComparison.Ordinal));

    [Fact]
    public void AReportThatDoesNotFitIsExit74AndTheOldReportIsKept()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), Rows);
        File.WriteAllText(folder.File("report.json"), "old");
        var result = ToolProcess.RunWithFileSizeLimit(folder.Path, LimitKib, "scan", "data.jsonl", "--device", "cpu", "--format", "json", "--output", "report.json");
        AssertIoError(result, "report.json");
        Assert.Equal("old", File.ReadAllText(folder.File("report.json")));
        AssertNoTemporaryFiles(folder);
    }

    [Fact]
    public void AFilteredOutputThatDoesNotFitIsExit74AndNothingIsLeft()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), Rows);
        var result = ToolProcess.RunWithFileSizeLimit(folder.Path, LimitKib, "scan", "data.jsonl", "--device", "cpu", "--threshold", "0.999", "--filtered-output", "clean.jsonl");
        AssertIoError(result, "clean.jsonl");
        Assert.False(File.Exists(folder.File("clean.jsonl")));
        AssertNoTemporaryFiles(folder);
    }

    [Fact]
    public void AReportFolderThatDoesNotFitIsExit74AndIsRemoved()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), Rows);
        var result = ToolProcess.RunWithFileSizeLimit(folder.Path, LimitKib, "scan", "data.jsonl", "--device", "cpu", "--report", "reports");
        Assert.True(result.ExitCode == ExitCodes.IoError, result.ToString());
        Assert.Contains("cannot write '", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bug in GradSentry", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder.File("reports")));
    }

    [Fact]
    public void ACacheThatDoesNotFitIsExit74KeepsOnlyCompleteRecordsAndTheRerunResumes()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), Rows);
        string[] scan = ["scan", "data.jsonl", "--device", "cpu", "--batch-size", "8", "--cache", "cache", "--format", "json"];
        // Room for a dozen sketch-carrying records (one batch of 8 fits), not for all 200 rows.
        var full = ToolProcess.RunWithFileSizeLimit(folder.Path, 4 * LimitKib, scan);
        Assert.True(full.ExitCode == ExitCodes.IoError, full.ToString());
        Assert.Contains("cannot write '", full.Stderr, StringComparison.Ordinal);
        Assert.Contains(".gscache'", full.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bug in GradSentry", full.Stderr, StringComparison.Ordinal);
        var cacheFile = Assert.Single(Directory.EnumerateFiles(folder.File("cache"), "*.gscache"));
        var length = new FileInfo(cacheFile).Length;
        Assert.True(length > 0 && length % CacheRecordBytes == 0, $"the cache file is {length} bytes: a torn record was left");

        var resumed = ToolProcess.Run(folder.Path, scan);
        var fresh = ToolProcess.Run(folder.Path, ["scan", "data.jsonl", "--device", "cpu", "--batch-size", "8", "--format", "json"]);
        Assert.True(resumed.ExitCode == fresh.ExitCode, resumed.ToString());
        using var json = JsonDocument.Parse(resumed.Stdout);
        Assert.InRange(json.RootElement.GetProperty("timing").GetProperty("rowsFromCache").GetInt32(), 8, Rows - 1);
        Assert.Equal(JsonCompare.WithoutTiming(fresh.Stdout), JsonCompare.WithoutTiming(resumed.Stdout));
    }

    [Fact]
    public void AFullDeviceIsAnOutputWriteErrorNamingTheDestination()
    {
        using var stream = new GuardedWriteStream(new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1), "report.json");
        var error = Assert.Throws<GradSentry.IO.OutputWriteException>(() =>
        {
            stream.Write(new byte[4096]);
            stream.FlushToDisk();
        });
        Assert.Equal("report.json", error.Path);
        Assert.StartsWith("cannot write 'report.json': No space left on device.", error.Message, StringComparison.Ordinal);
        var (code, message) = GradSentry.Tool.Commands.CommandRunner.Describe(error);
        Assert.Equal(ExitCodes.IoError, code);
        Assert.DoesNotContain("bug", message, StringComparison.Ordinal);
    }
}
