using System.Globalization;
using System.Text.Json.Nodes;
using GradSentry.Lab.Tokenizers;

namespace GradSentry.Lab.TinyModels;

/// <summary>Shape of the pre-trained tiny Llama.</summary>
public sealed record TinyLlamaShape
{
    /// <summary>Hidden size.</summary>
    public int Hidden { get; init; } = 192;

    /// <summary>Decoder layers.</summary>
    public int Layers { get; init; } = 3;

    /// <summary>Attention heads.</summary>
    public int Heads { get; init; } = 6;

    /// <summary>Key/value heads.</summary>
    public int KeyValueHeads { get; init; } = 2;

    /// <summary>SwiGLU width.</summary>
    public int Intermediate { get; init; } = 512;

    /// <summary>Positions.</summary>
    public int MaxPositions { get; init; } = 512;

    /// <summary>Checks the shape is buildable.</summary>
    public void Validate()
    {
        if (Hidden < 8 || Layers < 1 || Heads < 1 || KeyValueHeads < 1 || Intermediate < 1)
            throw new ArgumentException("hidden, layers, heads, kv-heads and intermediate must be positive (hidden at least 8).");
        if (Hidden % Heads != 0) throw new ArgumentException($"hidden {Hidden} is not a multiple of heads {Heads}.");
        if (Heads % KeyValueHeads != 0) throw new ArgumentException($"heads {Heads} is not a multiple of kv-heads {KeyValueHeads}.");
    }

    /// <summary>The Hugging Face <c>config.json</c> for a vocabulary of <paramref name="vocabSize"/> with BOS, EOS and pad at 1, 2, 3.</summary>
    public JsonObject ConfigJson(int vocabSize)
    {
        Validate();
        var text = string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "architectures": ["LlamaForCausalLM"],
              "attention_bias": false,
              "attention_dropout": 0.0,
              "bos_token_id": {{BpeModel.BosId}},
              "eos_token_id": {{BpeModel.EosId}},
              "head_dim": {{Hidden / Heads}},
              "hidden_act": "silu",
              "hidden_size": {{Hidden}},
              "initializer_range": 0.02,
              "intermediate_size": {{Intermediate}},
              "max_position_embeddings": {{MaxPositions}},
              "mlp_bias": false,
              "model_type": "llama",
              "num_attention_heads": {{Heads}},
              "num_hidden_layers": {{Layers}},
              "num_key_value_heads": {{KeyValueHeads}},
              "pad_token_id": {{BpeModel.PadId}},
              "pretraining_tp": 1,
              "rms_norm_eps": 1e-06,
              "rope_scaling": null,
              "rope_theta": 10000.0,
              "tie_word_embeddings": false,
              "torch_dtype": "float32",
              "use_cache": true,
              "vocab_size": {{vocabSize}}
            }
            """);
        return JsonNode.Parse(text)!.AsObject();
    }
}
