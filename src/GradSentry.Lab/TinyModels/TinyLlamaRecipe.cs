using System.Text.Json.Nodes;
using GradSentry.Models;

namespace GradSentry.Lab.TinyModels;

/// <summary>
/// The bundled tiny Llama: hidden 128, 2 layers, 4 heads / 2 KV heads (head_dim 32), SwiGLU width 344, byte vocabulary
/// of 259 (256 bytes + <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;pad&gt;</c>), 512 positions, untied lm_head. Weights
/// ~ N(0, 0.02), norm weights 1 + N(0, 0.05), and a sharp lm_head ~ N(0, 1) so that output distributions are peaked
/// and gradient-spectrum scores spread out (like the golden <c>tiny-llama-sharp</c>).
/// </summary>
public static class TinyLlamaRecipe
{
    /// <summary>Default seed of <c>create-tiny-model</c>.</summary>
    public const ulong DefaultSeed = 1;

    /// <summary>Standard deviation of the lm_head weights.</summary>
    public const double LmHeadStd = 1.0;

    /// <summary>
    /// The <c>config.json</c> content, written as Hugging Face writes it (numbers like <c>0.0</c> and <c>1e-06</c> keep
    /// their Python spelling because the node is parsed from text).
    /// </summary>
    public static JsonObject ConfigJson() => JsonNode.Parse(ConfigText)!.AsObject();

    const string ConfigText = """
        {
          "architectures": [
            "LlamaForCausalLM"
          ],
          "attention_bias": false,
          "attention_dropout": 0.0,
          "bos_token_id": 256,
          "eos_token_id": 257,
          "head_dim": 32,
          "hidden_act": "silu",
          "hidden_size": 128,
          "initializer_range": 0.02,
          "intermediate_size": 344,
          "max_position_embeddings": 512,
          "mlp_bias": false,
          "model_type": "llama",
          "num_attention_heads": 4,
          "num_hidden_layers": 2,
          "num_key_value_heads": 2,
          "pad_token_id": 258,
          "pretraining_tp": 1,
          "rms_norm_eps": 1e-06,
          "rope_scaling": null,
          "rope_theta": 10000.0,
          "tie_word_embeddings": false,
          "torch_dtype": "float32",
          "use_cache": true,
          "vocab_size": 259
        }
        """;

    /// <summary>The random initialization for <paramref name="seed"/>.</summary>
    public static RandomInitOptions InitOptions(ulong seed) => new()
    {
        Seed = seed,
        Std = 0.02,
        NormJitterStd = 0.05,
        BiasStd = 0,
        StdOverrides = new Dictionary<string, double> { ["lm_head.weight"] = LmHeadStd },
    };

    /// <summary>Builds the model (float32, CPU) with the weights of <paramref name="seed"/>.</summary>
    public static ICausalLm Create(ulong seed)
    {
        var model = CausalLmArchitectures.Create(ModelConfig.FromJson(ConfigJson(), "tiny-llama recipe"));
        try
        {
            RandomInitializer.Initialize(model, InitOptions(seed));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
