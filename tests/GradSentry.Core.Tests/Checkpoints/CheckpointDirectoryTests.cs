using System.Text.Json;
using GradSentry.Checkpoints;
using GradSentry.Tests.Support;
using TorchSharp;

namespace GradSentry.Tests.Checkpoints;

public sealed class CheckpointDirectoryTests : IDisposable
{
    readonly TempDirectory _tmp = TestPaths.NewTempDirectory();

    public void Dispose() => _tmp.Dispose();

    /// <summary>Two shards: a (2×3), b (4) in shard 1; c (scalar f16) in shard 2.</summary>
    static void WriteShards(string dir)
    {
        Directory.CreateDirectory(dir);
        using var a = torch.arange(6, torch.ScalarType.Float32).reshape(2, 3);
        using var b = torch.tensor(new float[] { 1, 2, 3, 4 });
        using var c = torch.tensor(0.5f).to(torch.ScalarType.Float16);
        SafeTensorsWriter.Write(Path.Combine(dir, "model-00001-of-00002.safetensors"), [new("a", a), new("b", b)]);
        SafeTensorsWriter.Write(Path.Combine(dir, "model-00002-of-00002.safetensors"), [new("c", c)]);
    }

    static void WriteIndex(string dir, params (string Tensor, string Shard)[] map)
    {
        var weightMap = string.Join(",", map.Select(m => JsonSerializer.Serialize(m.Tensor) + ":" + JsonSerializer.Serialize(m.Shard)));
        File.WriteAllText(Path.Combine(dir, CheckpointDirectory.IndexFileName),
            "{\"metadata\":{\"total_size\":42},\"weight_map\":{" + weightMap + "}}");
    }

    static readonly (string, string)[] GoodMap =
    [
        ("a", "model-00001-of-00002.safetensors"),
        ("b", "model-00001-of-00002.safetensors"),
        ("c", "model-00002-of-00002.safetensors"),
    ];

    static CheckpointException Refuse(string path, string? tensor, string messagePart)
    {
        var ex = Assert.Throws<CheckpointException>(() => CheckpointDirectory.Open(path).Dispose());
        Assert.Equal(tensor, ex.TensorName);
        Assert.True(ex.Message.Contains(messagePart, StringComparison.Ordinal), $"expected \"{messagePart}\" in: {ex.Message}");
        return ex;
    }

    [Fact]
    public void ShardedCheckpointLoadsEveryTensorFromItsShard()
    {
        var dir = Path.Combine(_tmp.Path, "m");
        WriteShards(dir);
        WriteIndex(dir, GoodMap);
        using var ckpt = CheckpointDirectory.Open(dir);
        Assert.Equal(["a", "b", "c"], ckpt.Tensors.Select(t => t.Name));
        Assert.Equal(2, ckpt.Files.Count);
        Assert.EndsWith(CheckpointDirectory.IndexFileName, ckpt.IndexPath, StringComparison.Ordinal);
        Assert.EndsWith("model-00002-of-00002.safetensors", ckpt["c"].File, StringComparison.Ordinal);
        using var a = ckpt.Load("a", torch.ScalarType.Float64, torch.CPU);
        Assert.Equal(new double[] { 0, 1, 2, 3, 4, 5 }, a.data<double>().ToArray());
        using var c = torch.zeros(Array.Empty<long>());
        ckpt.CopyInto("c", c);
        Assert.Equal(0.5f, c.item<float>());
        Assert.True(ckpt.Contains("b"));
        Assert.False(ckpt.Contains("d"));
        var missing = Assert.Throws<CheckpointException>(() => ckpt["d"]);
        Assert.Equal("d", missing.TensorName);
    }

    [Fact]
    public void IndexFilePathCanBeGivenDirectly()
    {
        var dir = Path.Combine(_tmp.Path, "m");
        WriteShards(dir);
        WriteIndex(dir, GoodMap);
        using var ckpt = CheckpointDirectory.Open(Path.Combine(dir, CheckpointDirectory.IndexFileName));
        Assert.Equal(3, ckpt.Tensors.Count);
    }

    [Fact]
    public void ShardedCheckpointRefusesMissingShard()
    {
        var dir = Path.Combine(_tmp.Path, "m");
        WriteShards(dir);
        WriteIndex(dir, [.. GoodMap, ("d", "model-00003-of-00003.safetensors")]);
        Refuse(dir, "d", "'model-00003-of-00003.safetensors', which does not exist");
    }

    [Theory]
    [InlineData("../outside.safetensors")]
    [InlineData("sub/../../outside.safetensors")]
    [InlineData("/tmp/outside.safetensors")]
    [InlineData("..\\outside.safetensors")]
    [InlineData("")]
    public void ShardedCheckpointRefusesShardPathsLeavingTheDirectory(string shard)
    {
        var dir = Path.Combine(_tmp.Path, "m");
        WriteShards(dir);
        using (var x = torch.ones(1)) SafeTensorsWriter.Write(_tmp.File("outside.safetensors"), [new("x", x)]);
        WriteIndex(dir, [.. GoodMap, ("x", shard)]);
        Refuse(dir, "x", "inside the model directory");
    }

    [Fact]
    public void ShardedCheckpointRefusesTensorStoredInTwoShards()
    {
        var dir = Path.Combine(_tmp.Path, "m");
        WriteShards(dir);
        using (var c = torch.ones(1)) SafeTensorsWriter.Write(Path.Combine(dir, "model-00002-of-00002.safetensors"), [new("c", c), new("a", c)]);
        WriteIndex(dir, GoodMap);
        Refuse(dir, "a", "stored in two shards");
    }

    [Fact]
    public void ShardedCheckpointRefusesMapPointingToTheWrongShard()
    {
        var dir = Path.Combine(_tmp.Path, "m");
        WriteShards(dir);
        WriteIndex(dir, ("a", "model-00001-of-00002.safetensors"), ("b", "model-00002-of-00002.safetensors"), ("c", "model-00002-of-00002.safetensors"));
        Refuse(dir, "b", "does not contain it; it is in 'model-00001-of-00002.safetensors'");
    }

    [Fact]
    public void ShardedCheckpointRefusesTensorAbsentFromTheMap()
    {
        var dir = Path.Combine(_tmp.Path, "m");
        WriteShards(dir);
        WriteIndex(dir, ("a", "model-00001-of-00002.safetensors"), ("c", "model-00002-of-00002.safetensors"));
        Refuse(dir, "b", "the weight_map does not list it");
    }

    [Fact]
    public void ShardedCheckpointRefusesMapNamingATensorNoShardHolds()
    {
        var dir = Path.Combine(_tmp.Path, "m");
        WriteShards(dir);
        WriteIndex(dir, [.. GoodMap, ("ghost", "model-00002-of-00002.safetensors")]);
        Refuse(dir, "ghost", "no shard holds it");
    }

    [Theory]
    [InlineData("{\"weight_map\":{\"a\":\"s\",\"a\":\"s\"}}", "a", "lists this tensor twice")]
    [InlineData("{\"metadata\":{}}", null, "no 'weight_map'")]
    [InlineData("{\"weight_map\":[]}", null, "must be an object")]
    [InlineData("{\"weight_map\":{\"a\":1}}", "a", "shard file names (strings)")]
    [InlineData("{\"weight_map\":{}", null, "not valid JSON")]
    [InlineData("[]", null, "not a JSON object")]
    public void ShardedCheckpointRefusesMalformedIndex(string json, string? tensor, string message)
    {
        var dir = Path.Combine(_tmp.Path, "m");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, CheckpointDirectory.IndexFileName), json);
        Refuse(dir, tensor, message);
    }

    [Theory]
    [InlineData("pytorch_model.bin")]
    [InlineData("model.pt")]
    [InlineData("weights.pth")]
    [InlineData("last.ckpt")]
    [InlineData("pytorch_model.bin.index.json")]
    public void DirectoryWithOnlyPickledCheckpointsIsRefused(string file)
    {
        var dir = Path.Combine(_tmp.Path, "m");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), "{}");
        File.WriteAllBytes(Path.Combine(dir, file), [0x80, 0x02, (byte)'c']);
        var ex = Refuse(dir, null, "can run arbitrary code when loaded");
        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        Assert.Contains("safe_serialization=True", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PickledFileGivenDirectlyIsRefused()
    {
        var path = _tmp.File("pytorch_model.bin");
        File.WriteAllBytes(path, [0x80, 0x02]);
        Refuse(path, null, "can run arbitrary code");
    }

    [Fact]
    public void SingleSafetensorsFileCanBeGivenDirectly()
    {
        var path = _tmp.File("adapter_model.safetensors");
        using (var w = torch.ones(2, 2)) SafeTensorsWriter.Write(path, [new("w", w)]);
        using var ckpt = CheckpointDirectory.Open(path);
        Assert.Null(ckpt.IndexPath);
        Assert.Equal(["w"], ckpt.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void DirectoryWithOtherSafetensorsNamesThemInTheMessage()
    {
        using (var w = torch.ones(1)) SafeTensorsWriter.Write(_tmp.File("consolidated.safetensors"), [new("w", w)]);
        Refuse(_tmp.Path, null, "consolidated.safetensors; pass the weights file's path directly");
    }

    [Fact]
    public void MissingDirectoryIsRefused() => Refuse(Path.Combine(_tmp.Path, "nope"), null, "no such file or directory");

    [Fact]
    public void EmptyDirectoryIsRefused() => Refuse(_tmp.Path, null, "is this a Hugging Face model directory?");
}
