using GradSentry.Checkpoints;
using GradSentry.Tests.Support;
using TorchSharp;

namespace GradSentry.Tests.Checkpoints;

public class GoldenCheckpointTests
{
    static string TinyLlama => Path.Combine(TestPaths.GoldenModel("tiny-llama"), "model.safetensors");

    [Fact]
    public void ReaderListsTheGoldenTinyLlamaTensorsWithTheirShapes()
    {
        using var file = SafeTensorsFile.Open(TinyLlama);
        Assert.Equal(21, file.Tensors.Count);
        Assert.Equal(new long[] { 259, 128 }, file["lm_head.weight"].Shape);
        Assert.Equal(new long[] { 259, 128 }, file["model.embed_tokens.weight"].Shape);
        Assert.Equal(new long[] { 64, 128 }, file["model.layers.1.self_attn.k_proj.weight"].Shape);
        Assert.Equal(new long[] { 128, 344 }, file["model.layers.0.mlp.down_proj.weight"].Shape);
        Assert.Equal(new long[] { 128 }, file["model.norm.weight"].Shape);
        Assert.All(file.Tensors, t => Assert.Equal(SafeTensorsDType.F32, t.DType));
        Assert.Equal("llama", file.Metadata["variant"]);
        Assert.Equal("pt", file.Metadata["format"]);
    }

    [Fact]
    public void DirectoryOpensTheGoldenModelFolderAndLoadsAWeight()
    {
        using var dir = CheckpointDirectory.Open(TestPaths.GoldenModel("tiny-llama"));
        Assert.True(dir.Contains("model.norm.weight"));
        Assert.False(dir.Contains("model.layers.2.input_layernorm.weight"));
        using var head = dir.Load("lm_head.weight", torch.ScalarType.Float32, torch.CPU);
        Assert.Equal(new long[] { 259, 128 }, head.shape);
        // metadata says lm_head was drawn with std 0.02: a loose check that real bytes were read.
        var std = head.std().item<float>();
        Assert.InRange(std, 0.015f, 0.025f);
    }
}
