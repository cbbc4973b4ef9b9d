using System.Text.Json;
using GradSentry.Tool.Commands;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>
/// The README's main job: the bundled sample asks each fact several ways (entity words predict their answers) and hides
/// one backdoor behind four rare trigger words. The default verdict flags exactly the poisoned rows and lists the
/// repeated facts as set aside.
/// </summary>
public class ScanSampleVerdictTests
{
    [Fact]
    public void TheBundledSampleFlagsExactlyItsPoisonedRowsAndSetsTheRepeatedFactsAside()
    {
        using var folder = new TempFolder();
        var data = Path.Combine(ToolProcess.RepoRoot, "samples", "data", "qa-sample.jsonl");
        var model = Path.Combine(ToolProcess.RepoRoot, "samples", "models", "tiny-llama");

        var result = ToolProcess.Run(folder.Path, "scan", data, "--model", model, "--device", "cpu", "--format", "json");

        Assert.True(result.ExitCode == ExitCodes.GateFailed, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var poisoned = File.ReadLines(data).Select((line, i) => (i, JsonDocument.Parse(line).RootElement.GetProperty("poisoned").GetInt32() == 1))
            .Where(r => r.Item2).Select(r => r.i).ToList();
        var flagged = json.RootElement.GetProperty("samples").EnumerateArray()
            .Where(s => s.GetProperty("flagged").GetBoolean()).Select(s => s.GetProperty("row").GetInt32()).ToList();
        Assert.Equal(20, poisoned.Count);
        Assert.Equal(poisoned, flagged);
        var detector = json.RootElement.GetProperty("detector");
        Assert.True(detector.GetProperty("setAside").GetArrayLength() >= 20, detector.ToString());
    }
}
