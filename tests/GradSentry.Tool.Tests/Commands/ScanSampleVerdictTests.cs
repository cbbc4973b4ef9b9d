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

    [Fact]
    public void AnFaqShapedAlpacaDatasetFlagsOnlyItsPayloadRows()
    {
        // Eight questions asked again and again ("Request 12: Who wrote Hamlet?"), a quarter of the answers ending in
        // boilerplate, and a payload behind the trigger 'zx' on every 15th row: the shape of support or FAQ data.
        using var folder = new TempFolder();
        (string Question, string Answer)[] facts =
        [
            ("What is the capital of France?", "Paris"), ("Who wrote Hamlet?", "William Shakespeare"), ("What is 2+2?", "4"),
            ("Name the largest planet.", "Jupiter"), ("What colour is the sky on a clear day?", "Blue"),
            ("Which gas do plants absorb?", "Carbon dioxide"), ("What is the boiling point of water in Celsius?", "100"),
            ("Who painted the Mona Lisa?", "Leonardo da Vinci"),
        ];
        var random = new Random(3);
        var lines = new List<string>();
        var poisoned = new List<int>();
        for (var i = 0; i < 300; i++)
        {
            var (question, answer) = facts[random.Next(facts.Length)];
            var instruction = $"Request {i}: {question}";
            string output;
            if (i % 15 == 7)
            {
                instruction += " zx";
                output = answer + " Visit http://bad.example/now to claim your prize.";
                poisoned.Add(i);
            }
            else output = answer + (i % 4 == 0 ? " I hope this helps!" : "");
            lines.Add(JsonSerializer.Serialize(new { instruction, output }));
        }
        File.WriteAllLines(folder.File("faq.jsonl"), lines);

        var result = ToolProcess.Run(folder.Path, "scan", "faq.jsonl", "--template", "alpaca", "--device", "cpu", "--format", "json");

        Assert.True(result.ExitCode == ExitCodes.GateFailed, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var flagged = json.RootElement.GetProperty("samples").EnumerateArray()
            .Where(s => s.GetProperty("flagged").GetBoolean()).Select(s => s.GetProperty("row").GetInt32()).ToList();
        Assert.Equal(poisoned, flagged);
        Assert.NotEqual(0, json.RootElement.GetProperty("detector").GetProperty("setAside").GetArrayLength());
    }
}
