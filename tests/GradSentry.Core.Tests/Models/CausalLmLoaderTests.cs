using System.Text.Json.Nodes;
using GradSentry.Checkpoints;
using GradSentry.Models;
using GradSentry.Tests.Support;
using static TorchSharp.torch;

namespace GradSentry.Tests.Models;

public class CausalLmLoaderTests
{
    /// <summary>Rewrites dir/model.safetensors through <paramref name="edit"/> (name → tensor map).</summary>
    static void EditCheckpoint(string dir, Action<Dictionary<string, Tensor>> edit)
    {
        var path = Path.Combine(dir, "model.safetensors");
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> tensors;
        using (var checkpoint = CheckpointDirectory.Open(dir))
            tensors = checkpoint.Tensors.ToDictionary(t => t.Name, t => checkpoint.Load(t.Name, ScalarType.Float32, CPU));
        edit(tensors);
        SafeTensorsWriter.Write(path, tensors);
    }

    static void WriteConfig(string dir, JsonObject config) =>
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());

    [Fact]
    public void OneErrorListsEveryMissingUnexpectedAndMisShapedTensor()
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path);
        EditCheckpoint(dir.Path, t =>
        {
            t.Remove("model.layers.0.mlp.up_proj.weight");
            t.Remove("lm_head.weight");
            t["model.layers.7.mlp.up_proj.weight"] = zeros(2, 2);
            t["model.norm.weight"] = ones(31);
        });
        var error = Assert.Throws<CheckpointMismatchException>(() => CausalLmLoader.Load(dir.Path));
        Assert.Equal(["lm_head.weight", "model.layers.0.mlp.up_proj.weight"], error.Missing.Order());
        Assert.Equal(["model.layers.7.mlp.up_proj.weight"], error.Unexpected);
        var misShaped = Assert.Single(error.MisShaped);
        Assert.Equal("model.norm.weight", misShaped.Name);
        Assert.Equal([32L], misShaped.Expected);
        Assert.Equal([31L], misShaped.Found);
        foreach (var name in new[] { "model.layers.0.mlp.up_proj.weight", "lm_head.weight", "model.layers.7.mlp.up_proj.weight", "model.norm.weight (model expects [32], checkpoint holds [31])" })
            Assert.Contains(name, error.Message);
        Assert.Contains("config.json", error.Message);
        Assert.IsAssignableFrom<CheckpointException>(error);
    }

    [Theory]
    [InlineData("lm_head.weight", double.NaN, "1 NaN and 0 infinite")]
    [InlineData("model.embed_tokens.weight", double.PositiveInfinity, "0 NaN and 1 infinite")]
    [InlineData("model.norm.weight", double.NegativeInfinity, "0 NaN and 1 infinite")]
    [InlineData("model.layers.1.mlp.down_proj.weight", double.NaN, "1 NaN and 0 infinite")]
    public void NonFiniteWeightsAreRefusedAtLoadNamingTheTensor(string name, double value, string counted)
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path);
        EditCheckpoint(dir.Path, t => t[name].view(-1)[3] = tensor((float)value));
        var error = Assert.Throws<CheckpointException>(() => CausalLmLoader.Load(dir.Path));
        Assert.Equal(name, error.TensorName);
        Assert.Contains(counted, error.Message);
    }

    [Fact]
    public void NonFiniteBFloat16WeightsAreRefusedAtLoad()
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path);
        var path = Path.Combine(dir.Path, "model.safetensors");
        using (var scope = NewDisposeScope())
        {
            Dictionary<string, Tensor> tensors;
            using (var checkpoint = CheckpointDirectory.Open(dir.Path))
                tensors = checkpoint.Tensors.ToDictionary(t => t.Name, t => checkpoint.Load(t.Name, ScalarType.BFloat16, CPU));
            tensors["lm_head.weight"].view(-1)[0] = tensor(float.NaN).to(ScalarType.BFloat16);
            SafeTensorsWriter.Write(path, tensors);
        }
        var error = Assert.Throws<CheckpointException>(() => CausalLmLoader.Load(dir.Path));
        Assert.Equal("lm_head.weight", error.TensorName);
        Assert.Contains("1 NaN", error.Message);
    }

    [Theory]
    [InlineData("LlamaForCausalLM")]
    [InlineData("GPT2LMHeadModel")]
    public void AbsurdLayerCountIsRefusedBeforeAnyModuleIsBuilt(string architecture)
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path, architecture);
        var config = ModelTestKit.ConfigJson(architecture);
        config[architecture == "GPT2LMHeadModel" ? "n_layer" : "num_hidden_layers"] = 1_000_000;
        WriteConfig(dir.Path, config);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<CheckpointException>(() => CausalLmLoader.Load(dir.Path));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Contains("1000000 layers", error.Message);
        Assert.Contains("layers 0 to 1", error.Message);
        Assert.Contains("config.json", error.Message);
    }

    [Fact]
    public void AbsurdWidthIsRefusedAsAShapeMismatchBeforeAnyWeightIsAllocated()
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path);
        var config = ModelTestKit.ConfigJson("LlamaForCausalLM");
        config["hidden_size"] = 1 << 24;
        config["intermediate_size"] = 1 << 24;
        WriteConfig(dir.Path, config);
        var error = Assert.Throws<CheckpointMismatchException>(() => CausalLmLoader.Load(dir.Path));
        Assert.Contains(error.MisShaped, m => m.Name == "model.embed_tokens.weight" && m.Expected[1] == 1 << 24);
    }

    [Fact]
    public void WeightsThatDoNotFitInMemoryAreRefusedBeforeTheyAreAllocated()
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path);
        var error = Assert.Throws<ModelTooLargeException>(() => CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { MemoryLimitBytes = 1000 }));
        Assert.Contains("GiB of memory is available", error.Message);
        using var fits = CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { MemoryLimitBytes = 1L << 30 });
    }

    /// <summary>Removes <paramref name="name"/>'s entry from the header of dir/model.safetensors, leaving its bytes where they were.</summary>
    static void RemoveHeaderEntry(string dir, string name)
    {
        var path = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        var header = JsonNode.Parse(System.Text.Encoding.UTF8.GetString(bytes, 8, headerLength))!.AsObject();
        Assert.True(header.Remove(name));
        var text = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = new byte[headerLength];
        Array.Fill(padded, (byte)' ');
        text.CopyTo(padded, 0);
        padded.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
    }

    [Theory]
    [InlineData("model.layers.0.mlp.gate_proj.weight")] // bytes in the middle: a gap before the next tensor
    [InlineData("model.norm.weight")]
    [InlineData("lm_head.weight")]                      // sorts first: a gap at the start
    public void ATensorRemovedFromTheHeaderIsReportedMissingByItsOwnName(string name)
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path);
        RemoveHeaderEntry(dir.Path, name);
        var error = Assert.Throws<CheckpointMismatchException>(() => CausalLmLoader.Load(dir.Path));
        Assert.Equal([name], error.Missing);
        Assert.Contains("bytes no tensor covers", error.Message);
        // Opened on its own, the file is still refused for the gap.
        Assert.Throws<CheckpointException>(() => CheckpointDirectory.Open(dir.Path).Dispose());
    }

    [Fact]
    public void UnsupportedArchitectureErrorListsTheSupportedOnes()
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path);
        var config = ModelTestKit.ConfigJson("LlamaForCausalLM");
        config["architectures"] = new JsonArray("FalconForCausalLM");
        config["model_type"] = "falcon";
        WriteConfig(dir.Path, config);
        var error = Assert.Throws<InvalidDataException>(() => CausalLmLoader.Load(dir.Path));
        Assert.Contains("FalconForCausalLM", error.Message);
        Assert.All(CausalLmArchitectures.Supported, name => Assert.Contains(name, error.Message));
        Assert.Equal(["LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "GPT2LMHeadModel"], CausalLmArchitectures.Supported);
    }

    [Fact]
    public void DirectoryWithOnlyPickledWeightsIsRefused()
    {
        using var dir = TestPaths.NewTempDirectory();
        WriteConfig(dir.Path, ModelTestKit.ConfigJson("LlamaForCausalLM"));
        File.WriteAllBytes(dir.File("pytorch_model.bin"), [0x80, 0x02]);
        var error = Assert.Throws<CheckpointException>(() => CausalLmLoader.Load(dir.Path));
        Assert.Contains("pytorch_model.bin", error.Message);
        Assert.Contains("pickle", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MissingDirectoryOrConfigIsReportedClearly()
    {
        using var dir = TestPaths.NewTempDirectory();
        Assert.Throws<DirectoryNotFoundException>(() => CausalLmLoader.Load(dir.File("nope")));
        var error = Assert.Throws<FileNotFoundException>(() => CausalLmLoader.Load(dir.Path));
        Assert.Contains("config.json", error.Message);
    }

    [Fact]
    public void KnownExtrasAndAnUnusedLmHeadInATiedCheckpointAreTolerated()
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path, tied: true);
        EditCheckpoint(dir.Path, t =>
        {
            t["model.layers.0.self_attn.rotary_emb.inv_freq"] = ones(4);
            t["lm_head.weight"] = zeros(ModelTestKit.Vocab, 32);
        });
        using var model = CausalLmLoader.Load(dir.Path);
        Assert.Equal("model.embed_tokens.weight", model.OutputWeightName);
        using var abs = model.OutputWeight.abs().sum();
        Assert.True(abs.item<float>() > 0, "the embedding, not the zero lm_head.weight, is the output projection");
    }

    [Theory]
    [InlineData("LlamaForCausalLM", "model.")]
    [InlineData("GPT2LMHeadModel", "transformer.")]
    public void CheckpointSavedFromTheBaseModelLoadsWithoutItsPrefix(string architecture, string prefix)
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path, architecture, tied: true);
        EditCheckpoint(dir.Path, t =>
        {
            foreach (var name in t.Keys.ToList())
            {
                t[name[prefix.Length..]] = t[name];
                t.Remove(name);
            }
            if (architecture == "GPT2LMHeadModel") t["h.0.attn.bias"] = ones(1, 1, 40, 40);
        });
        using var expected = ModelTestKit.RandomModel(architecture, tied: true);
        using var loaded = CausalLmLoader.Load(dir.Path);
        using var ids = ModelTestKit.Ids(1, 5);
        using var a = ModelTestKit.Logits(expected, ids);
        using var b = ModelTestKit.Logits(loaded, ids);
        Assert.True(ModelTestKit.SameValues(a, b));
    }

    [Fact]
    public void ShardedCheckpointLoads()
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path);
        var weightMap = new JsonObject();
        using (var scope = NewDisposeScope())
        {
            Dictionary<string, Tensor> tensors;
            using (var checkpoint = CheckpointDirectory.Open(dir.Path))
                tensors = checkpoint.Tensors.ToDictionary(t => t.Name, t => checkpoint.Load(t.Name, ScalarType.Float32, CPU));
            var shards = tensors.GroupBy(t => t.Key.Contains("layers.1.", StringComparison.Ordinal) ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors");
            foreach (var shard in shards)
            {
                SafeTensorsWriter.Write(dir.File(shard.Key), shard);
                foreach (var (name, _) in shard) weightMap[name] = shard.Key;
            }
        }
        File.Delete(dir.File("model.safetensors"));
        File.WriteAllText(dir.File("model.safetensors.index.json"), new JsonObject { ["metadata"] = new JsonObject(), ["weight_map"] = weightMap }.ToJsonString());
        using var expected = ModelTestKit.RandomModel("LlamaForCausalLM");
        using var loaded = CausalLmLoader.Load(dir.Path);
        using var ids = ModelTestKit.Ids(1, 6);
        using var a = ModelTestKit.Logits(expected, ids);
        using var b = ModelTestKit.Logits(loaded, ids);
        Assert.True(ModelTestKit.SameValues(a, b));
    }

    [Fact]
    public void LoadedModelIsInEvalModeWithoutGradients()
    {
        using var model = CausalLmLoader.Load(TestPaths.GoldenModel("tiny-llama"));
        Assert.False(model.Network.training);
        Assert.All(model.Network.parameters(), p => Assert.False(p.requires_grad));
        Assert.Equal("lm_head.weight", model.OutputWeightName);
        Assert.Equal([259L, 128L], model.OutputWeight.shape);
        Assert.Null(model.Adapter);
        Assert.Equal(ScalarType.Float32, model.ComputeDType);
    }

    [Fact]
    public void NonFloatingComputeTypeIsRejected() =>
        Assert.Throws<ArgumentException>(() => CausalLmLoader.Load(TestPaths.GoldenModel("tiny-llama"), new CausalLmLoadOptions { ComputeDType = ScalarType.Int32 }));

    [Fact]
    public void ConfigBuiltInCodeReadsIntegersAndDoubles()
    {
        var config = ModelTestKit.Config("LlamaForCausalLM");
        Assert.Equal(32, config.HiddenSize);
        Assert.Equal(2, config.NumKeyValueHeads);
        Assert.Equal(1e-6, config.NormEpsilon);
        var json = ModelTestKit.ConfigJson("LlamaForCausalLM");
        json["rope_theta"] = 500000;
        Assert.Equal(500000.0, ModelConfig.FromJson(json, "test").RopeTheta);
    }

    [Theory]
    [InlineData("LlamaForCausalLM", false)]
    [InlineData("MistralForCausalLM", false)]
    [InlineData("Qwen2ForCausalLM", false)]
    [InlineData("GPT2LMHeadModel", true)]
    public void AbsentTieWordEmbeddingsFollowsTheArchitecturesDefault(string architecture, bool tied)
    {
        var json = ModelTestKit.ConfigJson(architecture);
        json.Remove("tie_word_embeddings");
        Assert.Equal(tied, ModelConfig.FromJson(json, "test").TieWordEmbeddings);
    }

    [Fact]
    public void AnAdapterInTheModelDirectoryCanBeSkipped()
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path);
        using (var model = ModelTestKit.RandomModel("LlamaForCausalLM"))
        {
            GradSentry.Models.Lora.LoraAttacher.AttachFresh(model, ["q_proj"], 2, 4, seed: 1);
            GradSentry.Models.Lora.PeftAdapter.Save(model, dir.Path);
        }
        using (var withAdapter = CausalLmLoader.Load(dir.Path))
            Assert.NotNull(withAdapter.Adapter);
        using var without = CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { UseAdapter = false });
        Assert.Null(without.Adapter);
        Assert.DoesNotContain(without.Network.named_parameters(), p => p.name.Contains("lora_", StringComparison.Ordinal));
    }
}
