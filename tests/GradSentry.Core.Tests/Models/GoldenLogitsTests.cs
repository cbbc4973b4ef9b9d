using System.Text.Json;
using GradSentry.Models;
using GradSentry.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GradSentry.Tests.Models;

/// <summary>Our Llama forward pass against the independent PyTorch reference (tests/fixtures/golden/reference).</summary>
public class GoldenLogitsTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-4;

    [Theory]
    [InlineData("tiny-llama")]
    [InlineData("tiny-llama-sharp")]
    public void LogitsAndLastHiddenMatchTheReference(string name)
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Golden, "reference", name + ".logits.json")));
        using var model = CausalLmLoader.Load(TestPaths.GoldenModel(name));
        var cases = reference.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.NotEmpty(cases);
        double worstLogit = 0, worstHidden = 0;
        foreach (var c in cases)
        {
            using var scope = NewDisposeScope();
            var ids = c.GetProperty("inputIds").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var expectedLogits = c.GetProperty("logits").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(v => v.GetSingle())).ToArray();
            var expectedHidden = c.GetProperty("lastHidden").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            using var noGrad = no_grad();
            var hidden = model.ForwardHidden(tensor(ids, [1, ids.Length]));
            var logits = model.Logits(hidden);
            var logitError = ModelTestKit.MaxAbsDiff(logits[0], tensor(expectedLogits, [ids.Length, 259]));
            var hiddenError = ModelTestKit.MaxAbsDiff(hidden[0, -1], tensor(expectedHidden));
            worstLogit = Math.Max(worstLogit, logitError);
            worstHidden = Math.Max(worstHidden, hiddenError);
        }
        output.WriteLine($"{name}: {cases.Count} cases, max |Δlogit| = {worstLogit:E3}, max |Δhidden| = {worstHidden:E3}");
        Assert.True(worstLogit <= Tolerance, $"max logit error {worstLogit:E3} > {Tolerance}");
        Assert.True(worstHidden <= Tolerance, $"max hidden error {worstHidden:E3} > {Tolerance}");
    }
}
