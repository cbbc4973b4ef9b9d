using System.Text.Json.Nodes;
using GradSentry.Tool.Tests.Support;
using static TorchSharp.torch;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>
/// Hostile and faulty models and inputs (issue 16): each ends as one clear GS2001/GS2002 message with exit code 1, never
/// an internal error, a stack trace, a hang or an out-of-memory kill.
/// </summary>
public class ScanHostileInputTests
{
    static readonly TimeSpan Quick = TimeSpan.FromSeconds(60);

    static ToolResult Scan(TempFolder folder, string model, params string[] extra)
    {
        if (!File.Exists(folder.File("data.jsonl"))) TestData.WriteJsonl(folder.File("data.jsonl"), 24);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = ToolProcess.Run(folder.Path, ["scan", "data.jsonl", "--model", model, "--device", "cpu", "--format", "json", "--output", "report.json", .. extra]);
        Assert.True(clock.Elapsed < Quick, $"took {clock.Elapsed}: {result}");
        return result;
    }

    static void AssertCleanError(ToolResult result, string id, params string[] phrases)
    {
        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("error " + id, result.Stderr, StringComparison.Ordinal);
        foreach (var phrase in phrases) Assert.Contains(phrase, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("lm_head.weight", ScalarType.Float32)]
    [InlineData("model.embed_tokens.weight", ScalarType.Float32)]
    [InlineData("model.norm.weight", ScalarType.Float32)]
    [InlineData("lm_head.weight", ScalarType.BFloat16)]
    public void NonFiniteWeightsAreGS2002NamingTheTensor(string tensor, ScalarType stored)
    {
        using var folder = new TempFolder();
        var model = HostileModel.Copy(folder);
        HostileModel.EditWeights(model, t => t[tensor].view(-1)[1] = Scalar(float.NaN), stored);
        AssertCleanError(Scan(folder, model), "GS2002", tensor, "NaN");
        Assert.False(File.Exists(folder.File("report.json")));
    }

    [Fact]
    public void NonFiniteWeightsAreGS2002ForAnyTarget()
    {
        using var folder = new TempFolder();
        var model = HostileModel.Copy(folder);
        HostileModel.EditWeights(model, t => t["model.layers.0.self_attn.q_proj.weight"].view(-1)[0] = Scalar(float.PositiveInfinity));
        AssertCleanError(Scan(folder, model, "--target", "model.layers.1.self_attn.v_proj.weight"), "GS2002", "model.layers.0.self_attn.q_proj.weight", "infinite");
    }

    [Fact]
    public void AnAbsurdLayerCountIsGS2002WithinSeconds()
    {
        using var folder = new TempFolder();
        var model = HostileModel.Copy(folder);
        HostileModel.SetConfig(model, "num_hidden_layers", 1_000_000);
        AssertCleanError(Scan(folder, model), "GS2002", "1000000 layers", "layers 0 to 1");
    }

    [Fact]
    public void ATokenizerLinkedToDevZeroIsGS2002()
    {
        using var folder = new TempFolder();
        var model = HostileModel.Copy(folder);
        File.Delete(Path.Combine(model, "tokenizer.json"));
        File.CreateSymbolicLink(Path.Combine(model, "tokenizer.json"), "/dev/zero");
        AssertCleanError(Scan(folder, model), "GS2002", "tokenizer.json", "character device");
    }

    [Fact]
    public void WeightsThatAreAFifoAreGS2002WithoutHanging()
    {
        using var folder = new TempFolder();
        var model = HostileModel.Copy(folder);
        File.Delete(Path.Combine(model, "model.safetensors"));
        HostileModel.MakeFifo(Path.Combine(model, "model.safetensors"));
        AssertCleanError(Scan(folder, model), "GS2002", "model.safetensors", "FIFO");
    }

    [Fact]
    public void AConfigThatIsAFifoIsGS2002WithoutHanging()
    {
        using var folder = new TempFolder();
        var model = HostileModel.Copy(folder);
        File.Delete(Path.Combine(model, "config.json"));
        HostileModel.MakeFifo(Path.Combine(model, "config.json"));
        AssertCleanError(Scan(folder, model), "GS2002", "config.json", "FIFO");
    }

    [Fact]
    public void DevZeroAsTheDatasetIsGS2001WithoutHanging()
    {
        using var folder = new TempFolder();
        var result = ToolProcess.Run(folder.Path, "scan", "/dev/zero", "--input-format", "jsonl", "--device", "cpu");
        AssertCleanError(result, "GS2001", "/dev/zero", "character device");
    }

    [Fact]
    public void AFifoAsTheDatasetIsGS2001WithoutHanging()
    {
        using var folder = new TempFolder();
        HostileModel.MakeFifo(folder.File("pipe.jsonl"));
        var result = ToolProcess.Run(folder.Path, "scan", "pipe.jsonl", "--device", "cpu");
        AssertCleanError(result, "GS2001", "pipe.jsonl", "FIFO");
    }

    /// <summary>Finite weights whose forward pass overflows (item 1's second half): each row is a GS2003 row error, not a crash.</summary>
    [Theory]
    [InlineData("reference")]
    [InlineData("trigger-conditional")]
    public void WeightsThatOverflowInTheForwardPassAreRowErrors(string score)
    {
        using var folder = new TempFolder();
        var model = HostileModel.Copy(folder);
        HostileModel.EditWeights(model, t =>
        {
            t["model.layers.0.mlp.gate_proj.weight"].mul_(Scalar(1e30f));
            t["model.layers.0.mlp.up_proj.weight"].mul_(Scalar(1e30f));
        });
        var result = Scan(folder, model, "--score", score);
        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("error GS2003", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("the gradient is not finite", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(folder.File("report.json")));
        Assert.Equal(24, report.RootElement.GetProperty("statistics").GetProperty("failed").GetInt32());
        Assert.False(report.RootElement.GetProperty("gatePassed").GetBoolean());
    }

    static Tensor Scalar(float value) => tensor(value);
}
