using System.Diagnostics;
using System.Globalization;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Output;

/// <summary>Temporary files left by a process killed while writing (kill -9) are deleted by the next run (issue 16, item 8).</summary>
public class StaleTemporaryFileTests
{
    static int DeadProcessId()
    {
        using var process = Process.Start("true") ?? throw new InvalidOperationException("'true' did not start.");
        process.WaitForExit();
        return process.Id;
    }

    static string Orphan(TempFolder folder, string output, int pid)
    {
        var path = folder.File(string.Create(CultureInfo.InvariantCulture, $".{output}.{pid}.{Guid.NewGuid():N}.tmp"));
        File.WriteAllText(path, "half a report");
        return path;
    }

    [Fact]
    public void TheNextScanDeletesTheTemporaryFilesOfDeadProcessesAndKeepsThoseOfLiveOnes()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 24);
        var dead = DeadProcessId();
        var deadReport = Orphan(folder, "report.json", dead);
        var deadFiltered = Orphan(folder, "clean.jsonl", dead);
        var live = Orphan(folder, "report.json", Environment.ProcessId); // this test process is alive: it may still be writing
        var unrelated = Orphan(folder, "other.json", dead);               // not an output of this run: left alone

        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--device", "cpu", "--format", "json", "--output", "report.json",
            "--threshold", "0.999", "--filtered-output", "clean.jsonl");
        Assert.True(result.ExitCode == ExitCodes.Passed, result.ToString());
        Assert.False(File.Exists(deadReport), "the dead process's temporary report is still there");
        Assert.False(File.Exists(deadFiltered), "the dead process's temporary filtered copy is still there");
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(unrelated));
        Assert.True(File.Exists(folder.File("report.json")));
    }

    [Fact]
    public void AScanKilledWhileWritingLeavesATemporaryFileThatTheNextRunRemoves()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 24);
        // What kill -9 during the final write leaves: the process is gone, its temporary file stays.
        using (var scan = ToolProcess.Start(folder.Path, "scan", "data.jsonl", "--device", "cpu", "--report", "reports"))
        {
            var clock = Stopwatch.StartNew();
            while (!Directory.Exists(folder.File("reports")) && !scan.HasExited && clock.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(1);
            scan.Kill();
            scan.WaitForExit();
        }
        Directory.CreateDirectory(folder.File("reports"));
        var orphan = Path.Combine(folder.File("reports"), string.Create(CultureInfo.InvariantCulture, $".gradsentry.html.{DeadProcessId()}.{Guid.NewGuid():N}.tmp"));
        File.WriteAllText(orphan, "<html>half");

        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--device", "cpu", "--report", "reports");
        Assert.True(result.ExitCode is ExitCodes.Passed or ExitCodes.GateFailed, result.ToString());
        Assert.DoesNotContain(Directory.EnumerateFiles(folder.File("reports")), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }
}
