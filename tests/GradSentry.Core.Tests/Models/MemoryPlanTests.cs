using GradSentry.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Tests.Models;

/// <summary>The dtype choice and the memory-fit check, decided for real sizes without any file or memory of that size.</summary>
public class MemoryPlanTests
{
    const long Gib = 1L << 30;
    const long SevenB = 6_738_415_616; // Llama-2-7B
    const long OneB = 1_235_814_400;   // Llama-3.2-1B

    static MemoryPlan Cpu(long parameters, ScalarType? requested, ScalarType? stored, long? available, bool nativeBf16) =>
        MemoryPlan.Choose(parameters, requested, DeviceType.CPU, stored, null, available, nativeBf16, "/models/m");

    [Fact]
    public void A7BBf16CheckpointOnA24GiBCpuWithoutNativeBf16IsLoadedInBf16BecauseFloat32DoesNotFit()
    {
        var plan = Cpu(SevenB, null, ScalarType.BFloat16, 22 * Gib, nativeBf16: false);
        Assert.Equal(ScalarType.BFloat16, plan.DType);
        Assert.True(plan.IsAuto);
        Assert.Contains("float32 would need", plan.Reason, StringComparison.Ordinal);
        Assert.Equal(SevenB * 2, plan.WeightBytes);
        Assert.InRange(plan.NeededBytes, SevenB * 2, 22 * Gib);
    }

    [Fact]
    public void A16BitCheckpointOnACpuWithNativeBf16IsLoadedInBf16EvenWhenFloat32Fits()
    {
        var plan = Cpu(OneB, null, ScalarType.BFloat16, 200 * Gib, nativeBf16: true);
        Assert.Equal(ScalarType.BFloat16, plan.DType);
        Assert.Contains("natively", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Float32IsChosenWhenItFitsAndBf16WouldBeEmulated()
    {
        var plan = Cpu(OneB, null, ScalarType.BFloat16, 22 * Gib, nativeBf16: false);
        Assert.Equal(ScalarType.Float32, plan.DType);
        Assert.Contains("fits", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AFloat32CheckpointStaysFloat32WhenItFitsEvenOnANativeBf16Cpu() =>
        Assert.Equal(ScalarType.Float32, Cpu(OneB, null, ScalarType.Float32, 22 * Gib, nativeBf16: true).DType);

    [Fact]
    public void UnknownMemoryChecksNothing() =>
        Assert.Equal(ScalarType.Float32, Cpu(70_000_000_000, null, ScalarType.Float32, null, nativeBf16: false).DType);

    [Fact]
    public void AModelThatFitsInNoDTypeIsAClearErrorNamingNeedAvailabilityAndTheDeviceThatHelps()
    {
        var error = Assert.Throws<ModelTooLargeException>(() => Cpu(70_553_706_496, null, ScalarType.BFloat16, 22 * Gib, nativeBf16: true));
        Assert.True(error.NeededBytes > error.AvailableBytes);
        Assert.Equal(22 * Gib, error.AvailableBytes);
        Assert.Equal(MemoryPlan.Needed(70_553_706_496, ScalarType.BFloat16), error.SmallestBytes);
        Assert.Contains("/models/m", error.Message, StringComparison.Ordinal);
        Assert.Contains("needs about 145", error.Message, StringComparison.Ordinal);
        Assert.Contains("only 22 GiB of memory is available", error.Message, StringComparison.Ordinal);
        Assert.Contains("fits in no dtype", error.Message, StringComparison.Ordinal);
        Assert.Contains("--device cuda", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARequestedFloat32ThatDoesNotFitPointsToBf16WhenThatFits()
    {
        var error = Assert.Throws<ModelTooLargeException>(() => Cpu(SevenB, ScalarType.Float32, ScalarType.BFloat16, 22 * Gib, nativeBf16: false));
        Assert.Contains("in float32", error.Message, StringComparison.Ordinal);
        Assert.Contains("--dtype bfloat16 needs", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--device cuda", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARequestedDTypeThatFitsIsUsedAsGiven()
    {
        var plan = Cpu(OneB, ScalarType.Float16, ScalarType.BFloat16, 22 * Gib, nativeBf16: true);
        Assert.Equal(ScalarType.Float16, plan.DType);
        Assert.False(plan.IsAuto);
    }

    [Theory]
    [InlineData("bfloat16", ScalarType.BFloat16)]
    [InlineData("float16", ScalarType.Float16)]
    [InlineData(null, ScalarType.Float32)]
    public void OnAGpuAutoFollowsTheConfigAndDeviceMemoryIsNotChecked(string? torchDType, ScalarType expected)
    {
        var plan = MemoryPlan.Choose(SevenB, null, DeviceType.CUDA, ScalarType.BFloat16, torchDType, availableBytes: 1, nativeBFloat16: false, "/m");
        Assert.Equal(expected, plan.DType);
        Assert.Null(plan.AvailableBytes);
    }

    [Fact]
    public void TheEstimateIsTheWeightsPlusWorkingMemory() =>
        Assert.Equal(SevenB * 2 + MemoryPlan.FixedWorkingBytes + SevenB * 2 / 10, MemoryPlan.Needed(SevenB, ScalarType.BFloat16));
}
