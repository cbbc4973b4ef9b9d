using System.Security.Cryptography;
using GradSentry.Checkpoints;
using GradSentry.Tests.Support;
using TorchSharp;

namespace GradSentry.Tests.Checkpoints;

public class SafeTensorsRoundTripTests
{
    static readonly torch.ScalarType[] AllTypes =
    [
        torch.ScalarType.Float32, torch.ScalarType.Float16, torch.ScalarType.BFloat16, torch.ScalarType.Float64,
        torch.ScalarType.Int64, torch.ScalarType.Int32, torch.ScalarType.Int16, torch.ScalarType.Int8,
        torch.ScalarType.Byte, torch.ScalarType.Bool,
    ];

    /// <summary>Random bytes of the given type and shape; floats include NaN/Inf/subnormal bit patterns.</summary>
    internal static torch.Tensor RandomTensor(Random rng, torch.ScalarType type, long[] shape)
    {
        var t = torch.empty(shape, type);
        var n = t.numel() * t.element_size();
        if (n == 0) return t;
        var bytes = new byte[n];
        rng.NextBytes(bytes);
        if (type == torch.ScalarType.Bool)
            for (var i = 0; i < bytes.Length; i++) bytes[i] &= 1;
        bytes.CopyTo(t.bytes);
        return t;
    }

    internal static long[] RandomShape(Random rng)
    {
        var rank = rng.Next(0, 5);
        var shape = new long[rank];
        for (var i = 0; i < rank; i++) shape[i] = rng.Next(0, 10) == 0 ? 0 : rng.Next(1, 7);
        return shape;
    }

    internal static string RandomName(Random rng, HashSet<string> used)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789._-/ é漢\"\\";
        while (true)
        {
            var len = rng.Next(1, 24);
            var chars = new char[len];
            for (var i = 0; i < len; i++) chars[i] = alphabet[rng.Next(alphabet.Length)];
            var name = new string(chars);
            if (name != "__metadata__" && used.Add(name)) return name;
        }
    }

    [Fact]
    public void RandomFilesRoundTripBitExactThroughWriterAndReader()
    {
        var rng = new Random(20260523);
        using var tmp = TestPaths.NewTempDirectory();
        for (var iteration = 0; iteration < 40; iteration++)
        {
            using var scope = torch.NewDisposeScope();
            var used = new HashSet<string>(StringComparer.Ordinal);
            var tensors = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
            var count = rng.Next(0, 8);
            for (var i = 0; i < count; i++)
                tensors.Add(RandomName(rng, used), RandomTensor(rng, AllTypes[rng.Next(AllTypes.Length)], RandomShape(rng)));
            var metadata = new Dictionary<string, string> { ["iteration"] = iteration.ToString(System.Globalization.CultureInfo.InvariantCulture), ["ünï"] = "cödé \"q\"" };
            var path = tmp.File($"f{iteration}.safetensors");
            SafeTensorsWriter.Write(path, tensors, metadata);

            using var file = SafeTensorsFile.Open(path);
            file.CopyChunkBytes = 8 + rng.Next(0, 64); // many chunks per tensor
            Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), file.Tensors.Select(t => t.Name));
            Assert.Equal(metadata, file.Metadata);
            Assert.Equal(0, (8 + file.HeaderLength) % 8);
            foreach (var (name, expected) in tensors)
            {
                var info = file[name];
                Assert.Equal(expected.shape, info.Shape);
                Assert.Equal(expected.dtype, info.DType.ToScalarType());
                using var loaded = file.Load(name, expected.dtype, torch.CPU);
                Assert.Equal(expected.shape, loaded.shape);
                Assert.True(expected.bytes.SequenceEqual(loaded.bytes), $"bytes of '{name}' differ");
                using var into = torch.full(expected.shape, 1, expected.dtype);
                file.CopyInto(name, into);
                Assert.True(expected.bytes.SequenceEqual(into.bytes), $"CopyInto bytes of '{name}' differ");
            }
        }
    }

    [Fact]
    public void WriterIsDeterministicWhateverTheInputOrder()
    {
        using var tmp = TestPaths.NewTempDirectory();
        using var a = torch.arange(6, torch.ScalarType.Float32).reshape(2, 3);
        using var b = torch.tensor(new long[] { 7, 8 });
        var meta = new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" };
        SafeTensorsWriter.Write(tmp.File("1.safetensors"), [new("b", b), new("a", a)], meta);
        SafeTensorsWriter.Write(tmp.File("2.safetensors"), [new("a", a), new("b", b)], new Dictionary<string, string> { ["a"] = "2", ["z"] = "1" });
        var first = File.ReadAllBytes(tmp.File("1.safetensors"));
        Assert.Equal(first, File.ReadAllBytes(tmp.File("2.safetensors")));
        var headerLength = BitConverter.ToInt64(first, 0);
        var header = System.Text.Encoding.UTF8.GetString(first, 8, (int)headerLength);
        Assert.Equal(
            "{\"__metadata__\":{\"a\":\"2\",\"z\":\"1\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},\"b\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[24,40]}}",
            header.TrimEnd(' '));
        Assert.Equal(0, headerLength % 8);
        Assert.Equal(8 + headerLength + 40, first.Length);
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp"));
    }

    [Fact]
    public void HalfAndBFloat16FilesConvertExactlyToFloat32()
    {
        using var tmp = TestPaths.NewTempDirectory();
        // Values exactly representable in bf16 and f16, plus inf.
        var values = new float[] { 0f, -0f, 1f, -2.5f, 0.15625f, 1024f, float.PositiveInfinity, -0.0078125f };
        using var f32 = torch.tensor(values);
        using var f16 = f32.to(torch.ScalarType.Float16);
        using var bf16 = f32.to(torch.ScalarType.BFloat16);
        SafeTensorsWriter.Write(tmp.File("m.safetensors"), [new("h", f16), new("b", bf16)]);
        using var file = SafeTensorsFile.Open(tmp.File("m.safetensors"));
        Assert.Equal(SafeTensorsDType.F16, file["h"].DType);
        Assert.Equal(SafeTensorsDType.BF16, file["b"].DType);
        foreach (var name in new[] { "h", "b" })
        {
            file.CopyChunkBytes = 8; // conversion through the staging buffer in several chunks
            using var loaded = file.Load(name, torch.ScalarType.Float32, torch.CPU);
            Assert.Equal(values, loaded.data<float>().ToArray());
            using var dest = torch.zeros(8, torch.ScalarType.Float64);
            file.CopyInto(name, dest);
            Assert.Equal(values.Select(v => (double)v), dest.data<double>().ToArray());
        }
    }

    [Fact]
    public void ReadingDoesNotModifyTheFile()
    {
        using var tmp = TestPaths.NewTempDirectory();
        var path = tmp.File("m.safetensors");
        using (var t = torch.randn(33, 17))
        using (var h = torch.randn(5).to(torch.ScalarType.Float16))
            SafeTensorsWriter.Write(path, [new("t", t), new("h", h)]);
        var before = SHA256.HashData(File.ReadAllBytes(path));
        var time = File.GetLastWriteTimeUtc(path);
        using (var file = SafeTensorsFile.Open(path))
        {
            using var a = file.Load("t", torch.ScalarType.Float32, torch.CPU);
            using var b = file.Load("h", torch.ScalarType.Float32, torch.CPU);
            a.add_(1); // writes to the loaded tensor must not reach the file
            using var c = torch.empty(33, 17);
            file.CopyInto("t", c);
            c.mul_(3);
        }
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Equal(time, File.GetLastWriteTimeUtc(path));
    }
}
