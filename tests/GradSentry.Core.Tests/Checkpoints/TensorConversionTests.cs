using GradSentry.Checkpoints;
using GradSentry.Tests.Support;
using TorchSharp;

namespace GradSentry.Tests.Checkpoints;

public sealed class TensorConversionTests : IDisposable
{
    readonly TempDirectory _tmp = TestPaths.NewTempDirectory();
    readonly SafeTensorsFile _file;

    public TensorConversionTests()
    {
        using var w = torch.arange(12, torch.ScalarType.Float32).reshape(3, 4);
        using var ids = torch.tensor(new long[] { 5, 6, 7 });
        using var mask = torch.tensor(new[] { true, false });
        var path = _tmp.File("m.safetensors");
        SafeTensorsWriter.Write(path, [new("w", w), new("ids", ids), new("mask", mask)]);
        _file = SafeTensorsFile.Open(path);
    }

    public void Dispose()
    {
        _file.Dispose();
        _tmp.Dispose();
    }

    [Fact]
    public void CopyIntoRejectsShapeMismatchNamingTensorAndBothShapes()
    {
        using var dest = torch.zeros(4, 3);
        var ex = Assert.Throws<CheckpointException>(() => _file.CopyInto("w", dest));
        Assert.Equal("w", ex.TensorName);
        Assert.Equal(_file.Path, ex.File);
        Assert.Contains("expects [4, 3] but the checkpoint holds [3, 4]", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, dest.abs().sum().item<float>());
    }

    [Fact]
    public void CopyIntoRejectsSameElementCountWithDifferentRank()
    {
        using var dest = torch.zeros(12);
        Assert.Throws<CheckpointException>(() => _file.CopyInto("w", dest));
    }

    [Fact]
    public void CopyIntoWritesAParameterThatRequiresGradWithoutRecordingAGraph()
    {
        using var p = torch.nn.Parameter(torch.zeros(3, 4));
        _file.CopyInto("w", p);
        Assert.True(p.requires_grad);
        Assert.True(p.is_leaf);
        Assert.Equal(11f, p[2, 3].item<float>());
    }

    [Fact]
    public void CopyIntoFillsANonContiguousDestination()
    {
        using var storage = torch.zeros(4, 3);
        using var view = storage.t(); // 3×4, not contiguous
        Assert.False(view.is_contiguous());
        _file.CopyInto("w", view);
        using var expected = torch.arange(12, torch.ScalarType.Float32).reshape(3, 4);
        using var copied = view.contiguous();
        Assert.Equal(expected.data<float>().ToArray(), copied.data<float>().ToArray());
    }

    [Fact]
    public void IntegerTensorsLoadAsTheirOwnType()
    {
        using var ids = _file.Load("ids", torch.ScalarType.Int64, torch.CPU);
        Assert.Equal(new long[] { 5, 6, 7 }, ids.data<long>().ToArray());
        using var mask = _file.Load("mask", torch.ScalarType.Bool, torch.CPU);
        Assert.Equal(new[] { true, false }, mask.data<bool>().ToArray());
    }

    [Theory]
    [InlineData("ids", torch.ScalarType.Float32)]
    [InlineData("ids", torch.ScalarType.Int32)]
    [InlineData("mask", torch.ScalarType.Float16)]
    public void ConvertingIntegerTensorsIsAnErrorNamingTheTensor(string name, torch.ScalarType dtype)
    {
        var ex = Assert.Throws<CheckpointException>(() => _file.Load(name, dtype, torch.CPU).Dispose());
        Assert.Equal(name, ex.TensorName);
        Assert.Contains("not floating point", ex.Message, StringComparison.Ordinal);
        using var dest = torch.zeros(_file[name].Shape, dtype);
        Assert.Throws<CheckpointException>(() => _file.CopyInto(name, dest));
    }

    [Fact]
    public void LoadingFloatWeightsAsIntegersIsAnError()
    {
        var ex = Assert.Throws<CheckpointException>(() => _file.Load("w", torch.ScalarType.Int64, torch.CPU).Dispose());
        Assert.Contains("cannot be loaded as Int64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTensorNameIsAnErrorNamingIt()
    {
        var ex = Assert.Throws<CheckpointException>(() => _file.Load("model.w", torch.ScalarType.Float32, torch.CPU));
        Assert.Equal("model.w", ex.TensorName);
        Assert.Contains("similar names: 'w'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadingAfterDisposeThrows()
    {
        var path = _tmp.File("d.safetensors");
        using (var t = torch.ones(2)) SafeTensorsWriter.Write(path, [new("t", t)]);
        var file = SafeTensorsFile.Open(path);
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.Load("t", torch.ScalarType.Float32, torch.CPU));
    }

    [Fact]
    public void WriterRejectsDuplicateReservedAndUnsupported()
    {
        using var t = torch.ones(1);
        using var complex = torch.zeros(1, torch.ScalarType.ComplexFloat32);
        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(_tmp.File("x.safetensors"), [new("a", t), new("a", t)]));
        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(_tmp.File("x.safetensors"), [new("__metadata__", t)]));
        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(_tmp.File("x.safetensors"), [new("", t)]));
        var ex = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(_tmp.File("x.safetensors"), [new("c", complex)]));
        Assert.Contains("'c'", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_tmp.File("x.safetensors")));
    }

    [Fact]
    public void WriterReplacesAnExistingFileAndLeavesNoTemporaryBehind()
    {
        var path = _tmp.File("r.safetensors");
        File.WriteAllText(path, "old");
        using (var t = torch.ones(3)) SafeTensorsWriter.Write(path, [new("t", t)]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(new long[] { 3 }, file["t"].Shape);
        Assert.Single(Directory.GetFiles(_tmp.Path, "r.safetensors*", SearchOption.TopDirectoryOnly));
        Assert.Empty(Directory.GetFiles(_tmp.Path, ".r.safetensors*"));
    }
}
