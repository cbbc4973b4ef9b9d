using System.Text.Json.Nodes;
using GradSentry.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Tests;

public class ComputeDTypesTests
{
    static ModelConfig Config(string? torchDType)
    {
        var json = Models.ModelTestKit.ConfigJson("LlamaForCausalLM");
        if (torchDType is not null) json["torch_dtype"] = torchDType;
        return ModelConfig.FromJson(json, "test config");
    }

    [Theory]
    [InlineData("auto", null)]
    [InlineData("float32", ScalarType.Float32)]
    [InlineData("FP32", ScalarType.Float32)]
    [InlineData("bfloat16", ScalarType.BFloat16)]
    [InlineData("bf16", ScalarType.BFloat16)]
    [InlineData(" float16 ", ScalarType.Float16)]
    [InlineData("fp16", ScalarType.Float16)]
    public void NamesAndAliasesParse(string text, ScalarType? expected) => Assert.Equal(expected, ComputeDTypes.Parse(text));

    [Theory]
    [InlineData("int8")]
    [InlineData("float64")]
    [InlineData("")]
    public void OtherNamesAreAClearError(string text) =>
        Assert.Contains("auto, float32, bfloat16, float16", Assert.Throws<ArgumentException>(() => ComputeDTypes.Parse(text)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void NamesRoundTrip(ScalarType dtype) => Assert.Equal(dtype, ComputeDTypes.Parse(ComputeDTypes.Name(dtype)));

    [Theory]
    [InlineData("bfloat16", ScalarType.Float32)]
    [InlineData(null, ScalarType.Float32)]
    public void AutoIsFloat32OnTheCpu(string? torchDType, ScalarType expected) =>
        Assert.Equal(expected, ComputeDTypes.Resolve(null, CPU, Config(torchDType)));

    [Theory]
    [InlineData("bfloat16", ScalarType.BFloat16)]
    [InlineData("float16", ScalarType.Float16)]
    [InlineData("float32", ScalarType.Float32)]
    [InlineData(null, ScalarType.Float32)]
    public void AutoFollowsTheCheckpointOnCuda(string? torchDType, ScalarType expected) =>
        Assert.Equal(expected, ComputeDTypes.Resolve(null, new Device(DeviceType.CUDA, 0), Config(torchDType)));

    [Fact]
    public void AnExplicitDTypeWins() =>
        Assert.Equal(ScalarType.Float16, ComputeDTypes.Resolve(ScalarType.Float16, CPU, Config("bfloat16")));
}
