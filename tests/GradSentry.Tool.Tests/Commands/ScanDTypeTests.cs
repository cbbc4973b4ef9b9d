using System.Text.Json;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary><c>--dtype</c>: the model computes in the chosen dtype, the report records it, and a wrong name is a usage error.</summary>
public class ScanDTypeTests
{
    static readonly string[] Common = ["--threshold", "top:0.1", "--device", "cpu", "--format", "json"];

    static JsonDocument Scan(TempFolder folder, params string[] extra)
    {
        var result = ToolProcess.Run(folder.Path, ["scan", "data.jsonl", .. Common, .. extra]);
        Assert.True(result.ExitCode is ExitCodes.Passed or ExitCodes.GateFailed, result.ToString());
        return JsonDocument.Parse(result.Stdout);
    }

    static double[] Scores(JsonDocument report) =>
        [.. report.RootElement.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("score").GetDouble())];

    [Fact]
    public void Bfloat16ComputesCloseToFloat32AndTheReportSaysWhichRan()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 24);
        using var auto = Scan(folder);
        using var half = Scan(folder, "--dtype", "bf16");
        Assert.Equal("float32", auto.RootElement.GetProperty("model").GetProperty("dtype").GetString());
        Assert.Equal("auto", auto.RootElement.GetProperty("options").GetProperty("dtype").GetString());
        Assert.Equal("bfloat16", half.RootElement.GetProperty("model").GetProperty("dtype").GetString());
        Assert.Equal("bf16", half.RootElement.GetProperty("options").GetProperty("dtype").GetString());
        var expected = Scores(auto);
        var actual = Scores(half);
        Assert.Equal(expected.Length, actual.Length);
        Assert.NotEqual(expected, actual); // it really ran in bfloat16
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 0.05, $"row {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void AnUnknownDTypeIsAUsageErrorBeforeTheModelLoads()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 4);
        var result = ToolProcess.Run(folder.Path, ["scan", "data.jsonl", "--dtype", "int8"]);
        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("--dtype: 'int8' is not a compute dtype; use auto, float32, bfloat16, float16.", result.Stderr, StringComparison.Ordinal);
    }
}
