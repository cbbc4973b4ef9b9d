using System.Text.Json;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>A reviewed baseline accepts flagged rows; entries that match no row are reported as stale.</summary>
[Collection(ScannedDatasetGroup.Name)]
public class BaselineCommandTests(ScannedDataset scan)
{
    [Fact]
    public void BaselinedRowsNeitherFailTheGateNorWarnAndStaleEntriesAreGS3001()
    {
        using var folder = new TempFolder();
        File.Copy(scan.Data, folder.File("data.jsonl"));
        File.WriteAllText(folder.File("scan.json"), scan.Result.Stdout);
        var written = ToolProcess.Run(folder.Path, "baseline", "scan.json", "--output", "baseline.json", "--reviewed-by", "alice", "--reason", "payload is a benign footer");
        Assert.True(written.ExitCode == 0, written.ToString());
        using (var baseline = JsonDocument.Parse(File.ReadAllText(folder.File("baseline.json"))))
        {
            var entries = baseline.RootElement.GetProperty("entries").EnumerateArray().ToList();
            Assert.Equal(7, entries.Count);
            Assert.All(entries, e =>
            {
                Assert.Equal(64, e.GetProperty("rowHash").GetString()!.Length);
                Assert.Equal("data.jsonl", e.GetProperty("file").GetString());
                Assert.True(e.GetProperty("line").GetInt32() >= 1);
                Assert.InRange(e.GetProperty("score").GetDouble(), 0, 1);
                Assert.Equal("alice", e.GetProperty("reviewedBy").GetString());
                Assert.Equal("payload is a benign footer", e.GetProperty("reason").GetString());
            });
        }

        var accepted = ToolProcess.Run(folder.Path, ["scan", "data.jsonl", .. ScannedDataset.Common, "--baseline", "baseline.json", "--format", "msbuild"]);
        Assert.True(accepted.ExitCode == ExitCodes.Passed, accepted.ToString());
        Assert.DoesNotContain("GS1002", accepted.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("GS1001", accepted.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 suspect", accepted.Stdout, StringComparison.Ordinal);
        Assert.Contains("7 baselined", accepted.Stdout, StringComparison.Ordinal);

        // An entry for a row that is no longer in the data.
        var text = File.ReadAllText(folder.File("baseline.json"));
        var stale = "{\"rowHash\":\"" + new string('a', 64) + "\",\"file\":\"data.jsonl\",\"line\":99,\"score\":0.5,\"reviewedBy\":\"bob\",\"reason\":\"gone\"},";
        File.WriteAllText(folder.File("baseline.json"), text.Replace("  \"entries\": [\n", "  \"entries\": [\n    " + stale + "\n", StringComparison.Ordinal));
        var withStale = ToolProcess.Run(folder.Path, ["scan", "data.jsonl", .. ScannedDataset.Common, "--baseline", "baseline.json", "--format", "msbuild"]);
        Assert.True(withStale.ExitCode == ExitCodes.Passed, withStale.ToString());
        Assert.Contains("baseline.json(4,1): warning GS3001:", withStale.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void BaselineOfSomethingThatIsNotAReportIsAnInputError()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("not-a-report.json"), "{\"hello\":1}");
        var result = ToolProcess.Run(folder.Path, "baseline", "not-a-report.json", "--output", "baseline.json", "--reviewed-by", "a", "--reason", "b");
        Assert.Equal(ExitCodes.UsageOrInputError, result.ExitCode);
        Assert.Contains("not a GradSentry JSON report", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("baseline.json")));
    }
}
