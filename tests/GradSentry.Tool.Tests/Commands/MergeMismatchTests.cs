using GradSentry.Tool.Sharding;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>
/// <c>merge</c> refuses shard results that do not belong together (issue 16, item 9): another template, data changed
/// between shards, another threshold or gate limit. Each refusal names what differs and the shard files, exit 1, and
/// carries no .NET internals. Shard results are read only when they are regular files of a sane size.
/// </summary>
public class MergeMismatchTests
{
    const int Rows = 32;

    static readonly string[] Common = ["--device", "cpu", "--window", "16", "--batch-size", "8"];

    static ToolResult ScanShard(TempFolder folder, int index, string output, params string[] extra)
    {
        var result = ToolProcess.Run(folder.Path, ["scan", "data.jsonl", .. Common, "--shard", $"{index}/2", "--output", output, .. extra]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>Shard 0 with the common options, shard 1 with <paramref name="shard1"/>, then merge (with <paramref name="merge"/>).</summary>
    static ToolResult MergeWith(TempFolder folder, string[] shard1, string[]? merge = null, Action? betweenShards = null)
    {
        if (!File.Exists(folder.File("data.jsonl"))) TestData.WriteJsonl(folder.File("data.jsonl"), Rows);
        ScanShard(folder, 0, "shard0.json");
        betweenShards?.Invoke();
        ScanShard(folder, 1, "shard1.json", shard1);
        return ToolProcess.Run(folder.Path, ["merge", "shard0.json", "shard1.json", "--format", "json", .. merge ?? []]);
    }

    static void AssertRefused(ToolResult result, params string[] phrases)
    {
        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("the shard results do not belong together", result.Stderr, StringComparison.Ordinal);
        foreach (var phrase in phrases) Assert.Contains(phrase, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("shard0.json", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("shard1.json", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void AShardScannedWithAnotherTemplateIsRefused()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("template.json"), """{"prompt": "Q: {prompt}", "response": "response"}""");
        AssertRefused(MergeWith(folder, ["--template", "template.json"]), "--template differs", "raw in shard0.json", "template.json (file, sha256 ");
    }

    [Fact]
    public void AShardScannedWithAnotherFieldMappingIsRefused()
    {
        using var folder = new TempFolder();
        // Each row holds a second prompt under "question": shard 1 scores that one instead.
        File.WriteAllLines(folder.File("data.jsonl"), File.ReadAllLines(TestData.WriteJsonl(folder.File("data.jsonl"), Rows)).Select(line =>
        {
            var row = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
            row["question"] = "Another question: " + row["prompt"]!.GetValue<string>();
            return row.ToJsonString();
        }).ToList());
        AssertRefused(MergeWith(folder, ["--prompt-field", "question"]), "--prompt-field differs", "(template default) in shard0.json", "question in shard1.json");
    }

    [Fact]
    public void ATemplateFileEditedBetweenShardsIsRefused()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), Rows);
        File.WriteAllText(folder.File("template.json"), """{"prompt": "Q: {prompt}", "response": "response"}""");
        ScanShard(folder, 0, "shard0.json", "--template", "template.json");
        File.WriteAllText(folder.File("template.json"), """{"prompt": "Question: {prompt}", "response": "response"}""");
        ScanShard(folder, 1, "shard1.json", "--template", "template.json");
        AssertRefused(ToolProcess.Run(folder.Path, "merge", "shard0.json", "shard1.json", "--format", "json"), "--template differs");
    }

    [Fact]
    public void DataChangedBetweenShardsIsRefusedNamingTheRows()
    {
        using var folder = new TempFolder();
        var data = TestData.WriteJsonl(folder.File("data.jsonl"), Rows);
        // Same path, same row count: row 19 (block 1, scored by shard 1 only) becomes a copy of row 2, so it carries row 2's hash.
        var result = MergeWith(folder, [], betweenShards: () =>
        {
            var lines = File.ReadAllLines(data);
            lines[19] = lines[2];
            File.WriteAllLines(data, lines);
        });
        AssertRefused(result, "the data changed between shards", "rows 16 to 31", "data.jsonl line 17");
    }

    [Fact]
    public void DataChangedInABlockOfTheOtherShardIsRefused()
    {
        using var folder = new TempFolder();
        var data = TestData.WriteJsonl(folder.File("data.jsonl"), Rows);
        // Row 3 is in block 0, scored by shard 0 before the change: only the block hashes can tell.
        var result = MergeWith(folder, [], betweenShards: () =>
        {
            var lines = File.ReadAllLines(data);
            lines[3] = lines[3].Replace("Question 3", "Question 4", StringComparison.Ordinal);
            File.WriteAllLines(data, lines);
        });
        AssertRefused(result, "the data changed between shards", "rows 0 to 15", "data.jsonl line 1");
    }

    [Fact]
    public void AShardWithAnotherThresholdIsRefusedUnlessMergeGivesOne()
    {
        using var folder = new TempFolder();
        AssertRefused(MergeWith(folder, ["--threshold", "0.9"]), "--threshold differs", "auto in shard0.json", "0.9 in shard1.json");
        var decided = ToolProcess.Run(folder.Path, "merge", "shard0.json", "shard1.json", "--format", "json", "--threshold", "0.9");
        Assert.True(decided.ExitCode is ExitCodes.Passed or ExitCodes.GateFailed, decided.ToString());
        Assert.Contains("\"threshold\": \"0.9\"", decided.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AShardWithAnotherMaxPoisonFractionIsRefused()
    {
        using var folder = new TempFolder();
        AssertRefused(MergeWith(folder, ["--max-poison-fraction", "0.5"]), "--max-poison-fraction differs", "0 in shard0.json", "0.5 in shard1.json");
    }

    [Fact]
    public void AShardWithAnotherMaxLengthIsRefused()
    {
        using var folder = new TempFolder();
        AssertRefused(MergeWith(folder, ["--max-length", "64"]), "--max-length differs", "the model's in shard0.json", "64 in shard1.json");
    }

    [Fact]
    public void ShardsThatBelongTogetherStillMerge()
    {
        using var folder = new TempFolder();
        var merged = MergeWith(folder, []);
        Assert.True(merged.ExitCode is ExitCodes.Passed or ExitCodes.GateFailed, merged.ToString());
        Assert.DoesNotContain("do not belong together", merged.Stderr, StringComparison.Ordinal);
    }

    static UsageException ReadRefused(string path)
    {
        // A FIFO would block a plain open until a writer comes: fail the test instead of hanging it.
        var read = Task.Run(() => Assert.Throws<UsageException>(() => ShardResult.Read(path)));
        Assert.True(read.Wait(TimeSpan.FromSeconds(20)), $"reading {path} did not end");
        return read.Result;
    }

    [Fact]
    public void AShardResultThatIsAFifoIsRefusedWithoutHanging()
    {
        using var folder = new TempFolder();
        HostileModel.MakeFifo(folder.File("shard.json"));
        Assert.Contains("not a regular file", ReadRefused(folder.File("shard.json")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADeviceAsAShardResultIsRefused() =>
        Assert.Contains("not a regular file", ReadRefused("/dev/zero").Message, StringComparison.Ordinal);

    [Fact]
    public void AShardResultAboveTheSizeLimitIsRefusedBeforeItIsRead()
    {
        using var folder = new TempFolder();
        using (var huge = File.Create(folder.File("shard.json")))
            huge.SetLength(ShardResult.MaxBytes + 1); // sparse: no disk used
        var error = ReadRefused(folder.File("shard.json"));
        Assert.Contains("above the", error.Message, StringComparison.Ordinal);
        Assert.Contains("shard.json", error.Message, StringComparison.Ordinal);
    }
}
