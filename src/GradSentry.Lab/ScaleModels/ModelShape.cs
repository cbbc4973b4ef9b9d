using System.Text.Json.Nodes;

namespace GradSentry.Lab.ScaleModels;

/// <summary>
/// A real model's shape (what its <c>config.json</c> says), for random checkpoints that cost what the real model costs:
/// the same parameter count, layer widths, attention heads, vocabulary and tying, with random weights.
/// </summary>
/// <param name="Name">The name on the command line (<c>llama-3.2-1b</c>).</param>
/// <param name="Architecture"><c>architectures[0]</c>.</param>
/// <param name="ModelType"><c>model_type</c>.</param>
/// <param name="Hidden"><c>hidden_size</c>.</param>
/// <param name="Layers"><c>num_hidden_layers</c>.</param>
/// <param name="Heads"><c>num_attention_heads</c>.</param>
/// <param name="KeyValueHeads"><c>num_key_value_heads</c>.</param>
/// <param name="Intermediate"><c>intermediate_size</c>.</param>
/// <param name="Vocabulary"><c>vocab_size</c>.</param>
/// <param name="TiedEmbeddings"><c>tie_word_embeddings</c>.</param>
/// <param name="RopeTheta"><c>rope_theta</c>.</param>
/// <param name="MaxPositions"><c>max_position_embeddings</c>.</param>
/// <param name="RopeScaling"><c>rope_scaling</c> as the real config has it, or null.</param>
public sealed record ModelShape(
    string Name, string Architecture, string ModelType, int Hidden, int Layers, int Heads, int KeyValueHeads, int Intermediate, int Vocabulary,
    bool TiedEmbeddings, double RopeTheta, int MaxPositions, JsonObject? RopeScaling = null)
{
    /// <summary>The shapes the lab can write, smallest first.</summary>
    public static IReadOnlyList<ModelShape> All { get; } =
    [
        // For tests: small, but sharded, bf16, tied, GQA, and a vocabulary larger than the tokenizer's.
        new("tiny-sharded", "LlamaForCausalLM", "llama", 128, 2, 4, 2, 256, 4160, TiedEmbeddings: true, 10000, 512),
        // meta-llama/Llama-3.2-1B config.json.
        new("llama-3.2-1b", "LlamaForCausalLM", "llama", 2048, 16, 32, 8, 8192, 128256, TiedEmbeddings: true, 500000, 131072,
            new JsonObject { ["factor"] = 32.0, ["high_freq_factor"] = 4.0, ["low_freq_factor"] = 1.0, ["original_max_position_embeddings"] = 8192, ["rope_type"] = "llama3" }),
        // meta-llama/Llama-2-7b-hf config.json.
        new("llama-2-7b", "LlamaForCausalLM", "llama", 4096, 32, 32, 32, 11008, 32000, TiedEmbeddings: false, 10000, 4096),
        // mistralai/Mistral-7B-v0.1 config.json (sliding_window left out: the scorer refuses inputs longer than it, and rows are short).
        new("mistral-7b", "MistralForCausalLM", "mistral", 4096, 32, 32, 8, 14336, 32000, TiedEmbeddings: false, 10000, 32768),
    ];

    /// <summary>The shape named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such shape (the message lists them).</exception>
    public static ModelShape Find(string name) =>
        All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"unknown shape '{name}'; known: {string.Join(", ", All.Select(s => s.Name))}.");

    /// <summary><c>head_dim</c>.</summary>
    public int HeadDim => Hidden / Heads;

    /// <summary>The parameters, in Hugging Face names and order: embedding, each layer, final norm, then <c>lm_head</c> unless tied.</summary>
    public IReadOnlyList<(string Name, long[] Shape)> Tensors()
    {
        var kv = (long)KeyValueHeads * HeadDim;
        var list = new List<(string, long[])> { ("model.embed_tokens.weight", [Vocabulary, Hidden]) };
        for (var l = 0; l < Layers; l++)
        {
            var p = $"model.layers.{l}.";
            list.Add((p + "input_layernorm.weight", [Hidden]));
            list.Add((p + "self_attn.q_proj.weight", [Hidden, Hidden]));
            list.Add((p + "self_attn.k_proj.weight", [kv, Hidden]));
            list.Add((p + "self_attn.v_proj.weight", [kv, Hidden]));
            list.Add((p + "self_attn.o_proj.weight", [Hidden, Hidden]));
            list.Add((p + "post_attention_layernorm.weight", [Hidden]));
            list.Add((p + "mlp.gate_proj.weight", [Intermediate, Hidden]));
            list.Add((p + "mlp.up_proj.weight", [Intermediate, Hidden]));
            list.Add((p + "mlp.down_proj.weight", [Hidden, Intermediate]));
        }
        list.Add(("model.norm.weight", [Hidden]));
        if (!TiedEmbeddings) list.Add(("lm_head.weight", [Vocabulary, Hidden]));
        return list;
    }

    /// <summary>Parameters in total.</summary>
    public long Parameters => Tensors().Sum(t => t.Shape.Aggregate(1L, (a, d) => a * d));

    /// <summary>The <c>config.json</c> content (bfloat16, BOS 1, EOS 2 as the tokenizer the lab writes).</summary>
    public JsonObject ConfigJson() => new()
    {
        ["architectures"] = new JsonArray(Architecture),
        ["model_type"] = ModelType,
        ["attention_bias"] = false,
        ["attention_dropout"] = 0.0,
        ["bos_token_id"] = 1,
        ["eos_token_id"] = 2,
        ["pad_token_id"] = 3,
        ["head_dim"] = HeadDim,
        ["hidden_act"] = "silu",
        ["hidden_size"] = Hidden,
        ["initializer_range"] = 0.02,
        ["intermediate_size"] = Intermediate,
        ["max_position_embeddings"] = MaxPositions,
        ["mlp_bias"] = false,
        ["num_attention_heads"] = Heads,
        ["num_hidden_layers"] = Layers,
        ["num_key_value_heads"] = KeyValueHeads,
        ["rms_norm_eps"] = 1e-5,
        ["rope_scaling"] = RopeScaling?.DeepClone(),
        ["rope_theta"] = RopeTheta,
        ["tie_word_embeddings"] = TiedEmbeddings,
        ["torch_dtype"] = "bfloat16",
        ["use_cache"] = true,
        ["vocab_size"] = Vocabulary,
    };
}
