using System.Text.Json.Nodes;
using GradSentry.Checkpoints;
using GradSentry.Models;
using GradSentry.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Tests.Models;

/// <summary>A bfloat16 checkpoint in three shards with an index, as real 1B–8B checkpoints come, loaded without a float32 copy.</summary>
public class ShardedBf16LoadTests
{
    /// <summary>Writes a random tied Llama in bfloat16 as three shards + index; returns the weights written, by name.</summary>
    static Dictionary<string, Tensor> WriteSharded(string directory)
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM", tied: true, dtype: ScalarType.BFloat16);
        var json = ModelTestKit.ConfigJson("LlamaForCausalLM", tied: true);
        json["torch_dtype"] = "bfloat16";
        File.WriteAllText(Path.Combine(directory, CausalLmLoader.ConfigFileName), json.ToJsonString());
        var weights = model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone(), StringComparer.Ordinal);
        var names = weights.Keys.ToList();
        var map = new JsonObject();
        for (var s = 0; s < 3; s++)
        {
            var file = $"model-{s + 1:00000}-of-00003.safetensors";
            var mine = names.Where((_, i) => i % 3 == s).ToList();
            SafeTensorsWriter.WriteStreaming(Path.Combine(directory, file),
                mine.Select(n => new SafeTensorSpec(n, SafeTensorsDType.BF16, weights[n].shape)).ToList(),
                (spec, stream) => stream.Write(weights[spec.Name].contiguous().bytes));
            foreach (var n in mine) map[n] = file;
        }
        File.WriteAllText(Path.Combine(directory, CheckpointDirectory.IndexFileName), new JsonObject { ["weight_map"] = map }.ToJsonString());
        return weights;
    }

    static long ParameterCount(string directory)
    {
        using var model = CausalLmLoader.Load(directory, new CausalLmLoadOptions { ComputeDType = ScalarType.BFloat16 });
        return model.Network.parameters().Sum(p => p.numel());
    }

    [Fact]
    public void AutoOnANativeBf16CpuLoadsTheShardsBitExactInBf16()
    {
        using var dir = TestPaths.NewTempDirectory();
        var written = WriteSharded(dir.Path);
        Assert.Equal(3, Directory.GetFiles(dir.Path, "model-*-of-00003.safetensors").Length);
        using var model = CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { ComputeDType = null, NativeBFloat16 = true, MemoryLimitBytes = 4L << 30 });
        Assert.Equal(ScalarType.BFloat16, model.ComputeDType);
        Assert.Equal(ScalarType.BFloat16, model.MemoryPlan!.DType);
        Assert.Contains("natively", model.MemoryPlan.Reason, StringComparison.Ordinal);
        foreach (var (name, parameter) in model.Network.named_parameters())
        {
            Assert.Equal(ScalarType.BFloat16, parameter.dtype);
            Assert.True(parameter.bytes.SequenceEqual(written[name].contiguous().bytes), name);
        }
        Assert.Equal(written.Values.Sum(t => t.numel()), model.MemoryPlan.Parameters);
    }

    [Fact]
    public void AutoWithoutNativeBf16LoadsFloat32WhenItFitsAndBf16WhenOnlyThatFits()
    {
        using var dir = TestPaths.NewTempDirectory();
        var written = WriteSharded(dir.Path);
        var parameters = ParameterCount(dir.Path);

        using (var roomy = CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { ComputeDType = null, NativeBFloat16 = false, MemoryLimitBytes = 4L << 30 }))
        {
            Assert.Equal(ScalarType.Float32, roomy.ComputeDType);
            using var embedding = roomy.Network.named_parameters().Single(p => p.name == "model.embed_tokens.weight").parameter.to(ScalarType.BFloat16);
            Assert.True(embedding.bytes.SequenceEqual(written["model.embed_tokens.weight"].bytes)); // float32 holds bf16 values exactly
        }

        // Between what bfloat16 and float32 need: the injected "available memory" decides.
        var between = (MemoryPlan.Needed(parameters, ScalarType.BFloat16) + MemoryPlan.Needed(parameters, ScalarType.Float32)) / 2;
        using var tight = CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { ComputeDType = null, NativeBFloat16 = false, MemoryLimitBytes = between });
        Assert.Equal(ScalarType.BFloat16, tight.ComputeDType);
        Assert.Contains("float32 would need", tight.MemoryPlan!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelThatFitsInNoDTypeIsRefusedBeforeLoading()
    {
        using var dir = TestPaths.NewTempDirectory();
        WriteSharded(dir.Path);
        var error = Assert.Throws<ModelTooLargeException>(() =>
            CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { ComputeDType = null, NativeBFloat16 = true, MemoryLimitBytes = 1 << 20 }));
        Assert.Contains("fits in no dtype", error.Message, StringComparison.Ordinal);
        Assert.Contains(dir.Path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStreamedTensorOfTheWrongSizeLeavesNoFile()
    {
        using var dir = TestPaths.NewTempDirectory();
        var path = dir.File("bad.safetensors");
        var error = Assert.Throws<InvalidOperationException>(() => SafeTensorsWriter.WriteStreaming(path,
            [new SafeTensorSpec("w", SafeTensorsDType.BF16, [4, 4])], (_, stream) => stream.Write(new byte[30])));
        Assert.Contains("30 bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
