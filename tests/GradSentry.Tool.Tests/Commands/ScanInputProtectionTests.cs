using System.Diagnostics;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>The input is never modified: an output that names it, directly or through a link, is refused before any work (issue 16, item 5).</summary>
public class ScanInputProtectionTests
{
    static void AssertRefused(TempFolder folder, string input, string[] args, string phrase)
    {
        var before = File.ReadAllBytes(folder.File(input));
        var result = ToolProcess.Run(folder.Path, ["scan", input, "--device", "cpu", .. args]);
        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains(phrase, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(folder.File(input)));
    }

    static void HardLink(string target, string link)
    {
        using var ln = Process.Start("ln", [target, link]) ?? throw new InvalidOperationException("ln did not start.");
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
    }

    [Theory]
    [InlineData("--output")]
    [InlineData("--filtered-output")]
    public void AnOutputThatIsTheInputIsRefused(string option)
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("same.jsonl"), 24);
        string[] format = option == "--output" ? ["--format", "json"] : [];
        AssertRefused(folder, "same.jsonl", [option, "same.jsonl", .. format], "is the input dataset 'same.jsonl'");
    }

    [Theory]
    [InlineData("--output")]
    [InlineData("--filtered-output")]
    public void AnOutputThatIsASymbolicLinkToTheInputIsRefused(string option)
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 24);
        File.CreateSymbolicLink(folder.File("link.jsonl"), folder.File("data.jsonl"));
        AssertRefused(folder, "data.jsonl", [option, "link.jsonl"], "symbolic link");
    }

    [Theory]
    [InlineData("--output")]
    [InlineData("--filtered-output")]
    public void AnOutputThatIsAHardLinkToTheInputIsRefused(string option)
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 24);
        HardLink(folder.File("data.jsonl"), folder.File("hard.jsonl"));
        AssertRefused(folder, "data.jsonl", [option, "hard.jsonl"], "is the input dataset 'data.jsonl'");
    }

    [Fact]
    public void AReportFolderThatWouldOverwriteTheInputIsRefused()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("gradsentry.json"), 24);
        AssertRefused(folder, "gradsentry.json", ["--report", "."], "--report");
    }

    [Fact]
    public void AnInputReachedThroughALinkedFolderIsRefused()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 24);
        Directory.CreateSymbolicLink(folder.File("alias"), folder.Path);
        AssertRefused(folder, "data.jsonl", ["--filtered-output", "alias/data.jsonl"], "is the input dataset 'data.jsonl'");
    }

    [Fact]
    public void TwoOutputsThatAreOneFileAreRefused()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 24);
        AssertRefused(folder, "data.jsonl", ["--format", "json", "--output", "out.jsonl", "--filtered-output", "out.jsonl"], "are the same file");
    }

    [Fact]
    public void MergeRefusesToWriteOverAShardResultOrTheScannedData()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 24);
        var shard = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--device", "cpu", "--shard", "0/1", "--output", "shard.json");
        Assert.True(shard.ExitCode == ExitCodes.Passed, shard.ToString());
        var shardBytes = File.ReadAllBytes(folder.File("shard.json"));
        var dataBytes = File.ReadAllBytes(folder.File("data.jsonl"));

        var overShard = ToolProcess.Run(folder.Path, "merge", "shard.json", "--format", "json", "--output", "shard.json");
        Assert.True(overShard.ExitCode == ExitCodes.UsageOrInputError, overShard.ToString());
        Assert.Contains("is the shard result 'shard.json'", overShard.Stderr, StringComparison.Ordinal);

        var overData = ToolProcess.Run(folder.Path, "merge", "shard.json", "--filtered-output", "data.jsonl");
        Assert.True(overData.ExitCode == ExitCodes.UsageOrInputError, overData.ToString());
        Assert.Contains("is the input dataset", overData.Stderr, StringComparison.Ordinal);

        Assert.Equal(shardBytes, File.ReadAllBytes(folder.File("shard.json")));
        Assert.Equal(dataBytes, File.ReadAllBytes(folder.File("data.jsonl")));
    }
}
