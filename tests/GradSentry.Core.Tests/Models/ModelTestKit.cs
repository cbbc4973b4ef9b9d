using System.Text.Json.Nodes;
using GradSentry.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Tests.Models;

/// <summary>Small configs, random models and tensor comparisons shared by the model tests.</summary>
static class ModelTestKit
{
    public const int Vocab = 61;

    /// <summary>A tiny config.json for <paramref name="architecture"/> (tied or not).</summary>
    public static JsonObject ConfigJson(string architecture, bool tied = false)
    {
        var json = architecture switch
        {
            "GPT2LMHeadModel" => new JsonObject
            {
                ["architectures"] = new JsonArray("GPT2LMHeadModel"),
                ["model_type"] = "gpt2",
                ["vocab_size"] = Vocab,
                ["n_embd"] = 32,
                ["n_layer"] = 2,
                ["n_head"] = 4,
                ["n_positions"] = 40,
                ["layer_norm_epsilon"] = 1e-5,
                ["activation_function"] = "gelu_new",
            },
            _ => new JsonObject
            {
                ["architectures"] = new JsonArray(architecture),
                ["model_type"] = architecture switch { "Qwen2ForCausalLM" => "qwen2", "MistralForCausalLM" => "mistral", _ => "llama" },
                ["vocab_size"] = Vocab,
                ["hidden_size"] = 32,
                ["intermediate_size"] = 48,
                ["num_hidden_layers"] = 2,
                ["num_attention_heads"] = 4,
                ["num_key_value_heads"] = 2,
                ["max_position_embeddings"] = 64,
                ["rms_norm_eps"] = 1e-6,
                ["rope_theta"] = 10000.0,
                ["hidden_act"] = "silu",
            },
        };
        if (architecture == "MistralForCausalLM") json["sliding_window"] = 24;
        json["tie_word_embeddings"] = tied;
        return json;
    }

    public static ModelConfig Config(string architecture, bool tied = false) => ModelConfig.FromJson(ConfigJson(architecture, tied), "test config");

    /// <summary>A random model (seeded), float32 on CPU.</summary>
    public static ICausalLm RandomModel(string architecture, bool tied = false, ulong seed = 7, ScalarType dtype = ScalarType.Float32)
    {
        var model = CausalLmArchitectures.Create(Config(architecture, tied), dtype);
        RandomInitializer.Initialize(model, new RandomInitOptions { Seed = seed, Std = 0.2, StdOverrides = new Dictionary<string, double> { ["lm_head.weight"] = 1.0 } });
        return model;
    }

    /// <summary>Writes a random model in HF layout into <paramref name="directory"/>.</summary>
    public static void SaveRandomModel(string directory, string architecture = "LlamaForCausalLM", bool tied = false)
    {
        using var model = RandomModel(architecture, tied);
        CausalLmWriter.Save(model, directory);
    }

    /// <summary>Deterministic token ids [batch, length].</summary>
    public static Tensor Ids(int batch, int length, int seed = 3)
    {
        var rng = new Random(seed);
        var data = new long[batch * length];
        for (var i = 0; i < data.Length; i++) data[i] = rng.Next(0, Vocab);
        return tensor(data, [batch, length]);
    }

    /// <summary>Logits [B, L, V] without grad.</summary>
    public static Tensor Logits(ICausalLm model, Tensor ids, Tensor? mask = null)
    {
        using var noGrad = no_grad();
        using var hidden = model.ForwardHidden(ids, mask);
        return model.Logits(hidden);
    }

    public static bool SameValues(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var same = a.equal(b).all();
        return same.item<bool>();
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        using var diff = a.to(ScalarType.Float64).sub(b.to(ScalarType.Float64)).abs().max();
        return diff.item<double>();
    }
}
