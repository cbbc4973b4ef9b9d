using TorchSharp;

namespace GradSentry.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void NativeBackendLoadsAndComputesSingularValues()
    {
        using var a = torch.tensor(new double[] { 3, 0, 0, 4 }, 2, 2);
        using var s = torch.linalg.svdvals(a);
        Assert.Equal(new[] { 4.0, 3.0 }, s.data<double>().ToArray());
    }

    [Fact]
    public void CpuDeviceResolves() => Assert.Equal(DeviceType.CPU, TorchRuntime.ResolveDevice("cpu").type);

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void UnknownDeviceIsRejected(string device) => Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice(device));
}
