using System.Diagnostics;
using System.Text.Json;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>The same data and options give the same report: twice in a row, split into shards, and after a kill -9.</summary>
[Collection(ScannedDatasetGroup.Name)]
public class ScanReproducibilityTests(ScannedDataset scan)
{
    [Fact]
    public void TwoRunsGiveIdenticalJsonApartFromTiming()
    {
        var again = ToolProcess.Run(scan.Folder, ["scan", "data.jsonl", .. ScannedDataset.Common, "--format", "json"]);
        Assert.True(again.ExitCode == ExitCodes.GateFailed, again.ToString());
        Assert.Equal(JsonCompare.WithoutTiming(scan.Result.Stdout), JsonCompare.WithoutTiming(again.Stdout));
    }

    [Fact]
    public void MergedShardsEqualTheUnshardedScanExactly()
    {
        using var folder = new TempFolder();
        File.Copy(scan.Data, folder.File("data.jsonl"));
        // --window 16 over 64 rows: four blocks; shard 0 gets blocks 0 and 3, shard 1 block 1, shard 2 block 2.
        for (var i = 0; i < 3; i++)
        {
            var shard = ToolProcess.Run(folder.Path, ["scan", "data.jsonl", .. ScannedDataset.Common, "--shard", $"{i}/3", "--output", $"shard{i}.json"]);
            Assert.True(shard.ExitCode == 0, shard.ToString());
        }
        using (var shard0 = JsonDocument.Parse(File.ReadAllText(folder.File("shard0.json"))))
            Assert.Equal(32, shard0.RootElement.GetProperty("rows").GetArrayLength());

        var merged = ToolProcess.Run(folder.Path, ["merge", "shard2.json", "shard0.json", "shard1.json", "--format", "json"]);
        Assert.True(merged.ExitCode == ExitCodes.GateFailed, merged.ToString());
        Assert.Equal(JsonCompare.WithoutTiming(scan.Result.Stdout), JsonCompare.WithoutTiming(merged.Stdout));
    }

    [Fact]
    public void MergeRefusesAnIncompleteSetOfShards()
    {
        using var folder = new TempFolder();
        File.Copy(scan.Data, folder.File("data.jsonl"));
        var shard = ToolProcess.Run(folder.Path, ["scan", "data.jsonl", .. ScannedDataset.Common, "--shard", "1/3", "--output", "shard1.json"]);
        Assert.True(shard.ExitCode == 0, shard.ToString());
        var merged = ToolProcess.Run(folder.Path, ["merge", "shard1.json", "--format", "json"]);
        Assert.Equal(ExitCodes.UsageOrInputError, merged.ExitCode);
        Assert.Contains("0/3, 2/3 missing", merged.Stderr, StringComparison.Ordinal);
        Assert.Empty(merged.Stdout);
    }

    [Fact]
    public void ScanKilledPartWayResumesFromTheCacheWithIdenticalResults()
    {
        using var folder = new TempFolder();
        File.Copy(scan.Data, folder.File("data.jsonl"));
        string[] args = ["scan", "data.jsonl", .. ScannedDataset.Common, "--cache", "cache", "--format", "json"];
        using (var first = ToolProcess.Start(folder.Path, args))
        {
            _ = first.StandardOutput.ReadToEndAsync();
            _ = first.StandardError.ReadToEndAsync();
            Assert.True(WaitForCacheRecords(folder.File("cache"), first), "the scan ended before it wrote to the cache");
            first.Kill(); // SIGKILL: no chance to flush or clean up
            first.WaitForExit();
        }
        var resumed = ToolProcess.Run(folder.Path, args);
        Assert.True(resumed.ExitCode == ExitCodes.GateFailed, resumed.ToString());
        using var json = JsonDocument.Parse(resumed.Stdout);
        var fromCache = json.RootElement.GetProperty("timing").GetProperty("rowsFromCache").GetInt32();
        Assert.InRange(fromCache, 1, ScannedDataset.Rows - 1);
        Assert.Equal(JsonCompare.WithoutTiming(scan.Result.Stdout), JsonCompare.WithoutTiming(resumed.Stdout));
    }

    /// <summary>
    /// One cache record of the default (trigger-conditional) scan with k = 16: 8-byte head, 184-byte spectrum body (hash,
    /// T, loss, norm, k, 16 values), the 32 × 32 float gradient sketch with its length (4 + 4096 bytes), 8-byte checksum.
    /// </summary>
    internal const int CacheRecordBytes = 200 + 4 + 4096;

    /// <summary>A batch is reused only when all its rows are cached, so wait for one whole batch (--batch-size 8).</summary>
    const int OneBatchOfRecords = 8 * CacheRecordBytes;

    /// <summary>Polls until the score cache holds a whole batch of records while the process still runs.</summary>
    internal static bool WaitForCacheRecords(string cacheFolder, Process process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (process.HasExited) return false;
            if (Directory.Exists(cacheFolder) && Directory.EnumerateFiles(cacheFolder, "*.gscache").Any(f => new FileInfo(f).Length >= OneBatchOfRecords))
                return !process.HasExited;
            Thread.Sleep(5);
        }
        return false;
    }
}
