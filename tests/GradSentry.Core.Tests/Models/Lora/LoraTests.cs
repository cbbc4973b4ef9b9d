using System.Text.Json.Nodes;
using GradSentry.Checkpoints;
using GradSentry.Models;
using GradSentry.Models.Lora;
using GradSentry.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Tests.Models.Lora;

public class LoraTests
{
    /// <summary>Writes a PEFT adapter by hand (not through <see cref="PeftAdapter.Save"/>) with random A and B.</summary>
    static Dictionary<string, (Tensor A, Tensor B)> WritePeftAdapter(string dir, ICausalLm model, JsonNode targetModules, IEnumerable<string> modules,
        int r = 4, double alpha = 8, Action<Dictionary<string, Tensor>>? edit = null)
    {
        Directory.CreateDirectory(dir);
        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["r"] = r,
            ["lora_alpha"] = alpha,
            ["lora_dropout"] = 0.05,
            ["target_modules"] = targetModules,
            ["bias"] = "none",
            ["base_model_name_or_path"] = "/somewhere/else/base-model",
            ["modules_to_save"] = null,
            ["fan_in_fan_out"] = false,
        };
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), config.ToJsonString());
        using var generator = new Generator(42, CPU);
        var pairs = new Dictionary<string, (Tensor A, Tensor B)>();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var name in modules)
        {
            var layer = model.GetLinear(name);
            var a = randn([r, layer.InFeatures], generator: generator).mul(0.3);
            var b = randn([layer.OutFeatures, r], generator: generator).mul(0.3);
            pairs[name] = (a, b);
            tensors[$"base_model.model.{name}.lora_A.weight"] = a;
            tensors[$"base_model.model.{name}.lora_B.weight"] = b;
        }
        edit?.Invoke(tensors);
        SafeTensorsWriter.Write(Path.Combine(dir, "adapter_model.safetensors"), tensors);
        return pairs;
    }

    static readonly string[] QAndDown =
    [
        "model.layers.0.self_attn.q_proj", "model.layers.0.mlp.down_proj", "model.layers.1.self_attn.q_proj", "model.layers.1.mlp.down_proj",
    ];

    [Fact]
    public void FreshLoraLeavesOutputsUnchanged()
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        using var ids = ModelTestKit.Ids(2, 7);
        using var before = ModelTestKit.Logits(model, ids);
        var attached = LoraAttacher.AttachFresh(model, ["q_proj", "v_proj", "lm_head"], r: 4, alpha: 16, seed: 3);
        Assert.Equal(["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj", "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj", "lm_head"], attached);
        using var after = ModelTestKit.Logits(model, ids);
        Assert.True(ModelTestKit.SameValues(before, after));

        var q = model.GetLinear("model.layers.0.self_attn.q_proj");
        Assert.Equal([4L, 32L], q.LoraA!.Weight.shape);
        Assert.Equal([32L, 4L], q.LoraB!.Weight.shape);
        Assert.Equal(4.0, q.LoraScaling);
        using var bMax = q.LoraB.Weight.abs().max();
        using var aMax = q.LoraA.Weight.abs().max();
        Assert.Equal(0f, bMax.item<float>());
        Assert.InRange(aMax.item<float>(), 0.05f, (float)(1 / Math.Sqrt(32)));
        Assert.Contains("model.layers.0.self_attn.q_proj.lora_A.weight", model.Network.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void FreshLoraIsDeterministicPerSeed()
    {
        using var a = ModelTestKit.RandomModel("LlamaForCausalLM");
        using var b = ModelTestKit.RandomModel("LlamaForCausalLM");
        using var c = ModelTestKit.RandomModel("LlamaForCausalLM");
        LoraAttacher.AttachFresh(a, ["k_proj"], 2, 4, seed: 9);
        LoraAttacher.AttachFresh(b, ["k_proj"], 2, 4, seed: 9);
        LoraAttacher.AttachFresh(c, ["k_proj"], 2, 4, seed: 10);
        var name = "model.layers.1.self_attn.k_proj";
        Assert.True(ModelTestKit.SameValues(a.GetLinear(name).LoraA!.Weight, b.GetLinear(name).LoraA!.Weight));
        Assert.False(ModelTestKit.SameValues(a.GetLinear(name).LoraA!.Weight, c.GetLinear(name).LoraA!.Weight));
    }

    [Fact]
    public void LoadedPeftAdapterEqualsBasePlusScaledBA()
    {
        using var dir = TestPaths.NewTempDirectory();
        var adapterDir = Path.Combine(dir.Path, "adapter");
        ModelTestKit.SaveRandomModel(dir.Path);
        using var merged = CausalLmLoader.Load(dir.Path);
        using var scope = NewDisposeScope();
        var pairs = WritePeftAdapter(adapterDir, merged, new JsonArray("q_proj", "down_proj"), QAndDown, r: 4, alpha: 8);

        using var adapted = CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { AdapterDirectory = adapterDir });
        Assert.NotNull(adapted.Adapter);
        Assert.Equal(4, adapted.Adapter.Rank);
        Assert.Equal(2.0, adapted.Adapter.Scaling);
        Assert.Equal(Path.GetFullPath(adapterDir), adapted.AdapterDirectory);

        using var ids = ModelTestKit.Ids(2, 9);
        var baseLogits = ModelTestKit.Logits(merged, ids);
        // The manual computation: W + scaling · B · A, merged into the base weights.
        using (var noGrad = no_grad())
            foreach (var (name, (a, b)) in pairs)
                merged.GetLinear(name).Weight.add_(b.mm(a).mul(2.0));
        var expected = ModelTestKit.Logits(merged, ids);
        var actual = ModelTestKit.Logits(adapted, ids);
        Assert.True(ModelTestKit.MaxAbsDiff(baseLogits, actual) > 1e-2, "the adapter changes the outputs");
        var scale = Math.Max(1, expected.abs().max().item<float>());
        Assert.True(ModelTestKit.MaxAbsDiff(expected, actual) <= 1e-5 * scale);
        Assert.Null(adapted.GetLinear("model.layers.0.self_attn.k_proj").LoraA);
        Assert.All(adapted.Network.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void AdapterInTheModelDirectoryIsLoadedAndRegexTargetsWork()
    {
        using var dir = TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path);
        using (var probe = CausalLmLoader.Load(dir.Path))
            WritePeftAdapter(dir.Path, probe, JsonValue.Create(@".*layers\.1\.self_attn\.(q_proj|v_proj)")!,
                ["model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj"]);
        using var model = CausalLmLoader.Load(dir.Path);
        Assert.NotNull(model.Adapter);
        Assert.Equal(@".*layers\.1\.self_attn\.(q_proj|v_proj)", model.Adapter.TargetModules.Pattern);
        Assert.NotNull(model.GetLinear("model.layers.1.self_attn.v_proj").LoraA);
        Assert.Null(model.GetLinear("model.layers.0.self_attn.v_proj").LoraA);
    }

    [Fact]
    public void SavedAdapterReloadsToIdenticalOutputs()
    {
        using var dir = TestPaths.NewTempDirectory();
        var adapterDir = Path.Combine(dir.Path, "adapter");
        ModelTestKit.SaveRandomModel(dir.Path, "GPT2LMHeadModel", tied: true);
        using var trained = CausalLmLoader.Load(dir.Path);
        LoraAttacher.AttachFresh(trained, ["c_attn", "c_fc"], r: 3, alpha: 6, seed: 1);
        using (var noGrad = no_grad())
            foreach (var (_, layer) in trained.Linears().Where(l => l.Value.LoraB is not null))
            {
                using var b = randn(layer.LoraB!.Weight.shape);
                layer.LoraB.Weight.copy_(b);
            }
        var written = PeftAdapter.Save(trained, adapterDir, "tiny-gpt2");
        Assert.Equal(["c_attn", "c_fc"], written.TargetModules.Names);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(adapterDir, "adapter_config.json")))!.AsObject();
        Assert.Equal("LORA", json["peft_type"]!.GetValue<string>());
        Assert.Equal(3, json["r"]!.GetValue<int>());
        using (var weights = CheckpointDirectory.Open(Path.Combine(adapterDir, "adapter_model.safetensors")))
        {
            Assert.Equal(8, weights.Tensors.Count);
            Assert.Equal([3L, 32L], weights["base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"].Shape);
            Assert.Equal([96L, 3L], weights["base_model.model.transformer.h.0.attn.c_attn.lora_B.weight"].Shape);
        }

        using var reloaded = CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { AdapterDirectory = adapterDir });
        using var ids = ModelTestKit.Ids(2, 6);
        using var expected = ModelTestKit.Logits(trained, ids);
        using var actual = ModelTestKit.Logits(reloaded, ids);
        Assert.True(ModelTestKit.SameValues(expected, actual));
    }

    [Fact]
    public void SaveWritesFullNamesWhenLeafNamesWouldSelectMore()
    {
        using var dir = TestPaths.NewTempDirectory();
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        LoraAttacher.AttachFresh(model, LoraTargets.FromPattern(@"model\.layers\.0\.self_attn\.q_proj"), 2, 2, seed: 1);
        var config = PeftAdapter.Save(model, dir.Path);
        Assert.Equal(["model.layers.0.self_attn.q_proj"], config.TargetModules.Names);
    }

    [Fact]
    public void AllLinearTargetsEveryLinearLayerButTheOutputLayer()
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        var attached = LoraAttacher.AttachFresh(model, LoraTargets.FromPattern(LoraTargets.AllLinear), 2, 2, seed: 1);
        Assert.Equal(2 * 7, attached.Count);
        Assert.DoesNotContain("lm_head", attached);
    }

    [Fact]
    public void TargetsThatMatchNothingOrANonLinearModuleAreRefused()
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        var none = Assert.Throws<InvalidDataException>(() => LoraAttacher.AttachFresh(model, ["q_proj", "query_key_value"], 2, 2, seed: 1));
        Assert.Contains("'query_key_value' matches no module", none.Message);
        Assert.Contains("q_proj", none.Message);
        var notLinear = Assert.Throws<InvalidDataException>(() => LoraAttacher.AttachFresh(model, ["mlp"], 2, 2, seed: 1));
        Assert.Contains("is not a linear layer", notLinear.Message);
        Assert.DoesNotContain(model.Network.named_parameters(), p => p.name.Contains("lora_", StringComparison.Ordinal));
    }

    [Fact]
    public void AdapterTensorsThatDoNotFitAreAllListedAndNothingStaysAttached()
    {
        using var dir = TestPaths.NewTempDirectory();
        var adapterDir = Path.Combine(dir.Path, "adapter");
        ModelTestKit.SaveRandomModel(dir.Path);
        using (var scope = NewDisposeScope())
        using (var probe = CausalLmLoader.Load(dir.Path))
            WritePeftAdapter(adapterDir, probe, new JsonArray("q_proj", "down_proj"), QAndDown, edit: t =>
            {
                t.Remove("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight");
                t["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"] = zeros(5, 32);
                t["base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight"] = zeros(4, 32);
            });
        var error = Assert.Throws<CheckpointMismatchException>(() => CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { AdapterDirectory = adapterDir }));
        Assert.Equal(["base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"], error.Missing);
        Assert.Equal(["base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight"], error.Unexpected);
        Assert.Equal("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", Assert.Single(error.MisShaped).Name);

        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        Assert.Throws<CheckpointMismatchException>(() => PeftAdapter.Load(model, adapterDir));
        Assert.DoesNotContain(model.Network.named_parameters(), p => p.name.Contains("lora_", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("use_dora", "true", "DoRA")]
    [InlineData("modules_to_save", "[\"lm_head\"]", "modules_to_save")]
    [InlineData("bias", "\"all\"", "bias")]
    [InlineData("rank_pattern", "{\"q_proj\": 8}", "rank_pattern")]
    [InlineData("peft_type", "\"IA3\"", "IA3")]
    [InlineData("r", "0", "'r'")]
    [InlineData("target_modules", "[]", "target_modules")]
    public void UnsupportedPeftFeaturesAreRefusedNotIgnored(string field, string value, string expected)
    {
        var json = JsonNode.Parse("""{"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": ["q_proj"]}""")!.AsObject();
        json[field] = JsonNode.Parse(value);
        var error = Assert.Throws<InvalidDataException>(() => LoraAdapterConfig.FromJson(json, "adapter_config.json"));
        Assert.Contains(expected, error.Message);
        Assert.Contains("adapter_config.json", error.Message);
    }

    [Fact]
    public void PickledOnlyAdapterIsRefused()
    {
        using var dir = TestPaths.NewTempDirectory();
        File.WriteAllText(dir.File("adapter_config.json"), """{"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": ["q_proj"]}""");
        File.WriteAllBytes(dir.File("adapter_model.bin"), [0x80, 0x02]);
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        var error = Assert.Throws<CheckpointException>(() => PeftAdapter.Load(model, dir.Path));
        Assert.Contains("adapter_model.bin", error.Message);
    }

    [Fact]
    public void PeftListMatchingUsesWholeNameSegments()
    {
        var targets = LoraTargets.FromNames(["q_proj"]);
        Assert.True(targets.Matches("model.layers.0.self_attn.q_proj"));
        Assert.True(targets.Matches("q_proj"));
        Assert.False(targets.Matches("model.layers.0.self_attn.xq_proj"));
        Assert.False(LoraTargets.FromPattern("q_proj").Matches("model.layers.0.self_attn.q_proj"));
    }
}
