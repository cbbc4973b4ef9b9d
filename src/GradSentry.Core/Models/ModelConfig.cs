using System.Text.Json;
using System.Text.Json.Nodes;

namespace GradSentry.Models;

/// <summary>
/// The fields of a Hugging Face <c>config.json</c> the supported architectures use. GPT-2 names
/// (<c>n_embd</c>, <c>n_layer</c>, <c>n_head</c>, <c>n_positions</c>) are mapped onto the same properties.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>First entry of <c>architectures</c>, e.g. <c>LlamaForCausalLM</c>.</summary>
    public required string Architecture { get; init; }
    /// <summary><c>model_type</c>, e.g. <c>llama</c>, <c>mistral</c>, <c>qwen2</c>, <c>gpt2</c>.</summary>
    public required string ModelType { get; init; }
    /// <summary><c>vocab_size</c>.</summary>
    public required int VocabSize { get; init; }
    /// <summary><c>hidden_size</c> (GPT-2: <c>n_embd</c>).</summary>
    public required int HiddenSize { get; init; }
    /// <summary><c>num_hidden_layers</c> (GPT-2: <c>n_layer</c>).</summary>
    public required int NumLayers { get; init; }
    /// <summary><c>num_attention_heads</c> (GPT-2: <c>n_head</c>).</summary>
    public required int NumHeads { get; init; }
    /// <summary><c>num_key_value_heads</c>; equals <see cref="NumHeads"/> when absent.</summary>
    public required int NumKeyValueHeads { get; init; }
    /// <summary><c>head_dim</c>; <c>hidden_size / num_attention_heads</c> when absent.</summary>
    public required int HeadDim { get; init; }
    /// <summary><c>intermediate_size</c> (GPT-2: <c>n_inner</c> or 4 × n_embd).</summary>
    public required int IntermediateSize { get; init; }
    /// <summary><c>max_position_embeddings</c> (GPT-2: <c>n_positions</c>).</summary>
    public required int MaxPositions { get; init; }
    /// <summary><c>rms_norm_eps</c> (GPT-2: <c>layer_norm_epsilon</c>).</summary>
    public required double NormEpsilon { get; init; }
    /// <summary><c>rope_theta</c> (10000 when absent).</summary>
    public double RopeTheta { get; init; } = 10000;
    /// <summary><c>tie_word_embeddings</c>; when absent, the architecture's HF default (Llama, Mistral, Qwen2: false; GPT-2 and others: true).</summary>
    public bool TieWordEmbeddings { get; init; } = true;
    /// <summary><c>attention_bias</c>; Qwen2 always has q/k/v biases.</summary>
    public bool AttentionBias { get; init; }
    /// <summary><c>mlp_bias</c>.</summary>
    public bool MlpBias { get; init; }
    /// <summary><c>hidden_act</c> (<c>silu</c>, <c>gelu_new</c>, ...).</summary>
    public string HiddenAct { get; init; } = "silu";
    /// <summary><c>bos_token_id</c>, if present.</summary>
    public int? BosTokenId { get; init; }
    /// <summary><c>eos_token_id</c> (first one when a list), if present.</summary>
    public int? EosTokenId { get; init; }
    /// <summary><c>torch_dtype</c> as written (<c>float32</c>, <c>bfloat16</c>, ...), if present.</summary>
    public string? TorchDtype { get; init; }
    /// <summary>The parsed JSON, for fields no property covers.</summary>
    public JsonObject Raw { get; init; } = new();

    /// <summary>The largest <c>config.json</c> read (real ones are a few kilobytes).</summary>
    public const long MaxConfigBytes = 16 << 20;

    /// <summary>Reads and validates <paramref name="path"/> (a <c>config.json</c>).</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON or a required field is missing or out of range (message names the file and field).</exception>
    public static ModelConfig Load(string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(GradSentry.IO.RegularFile.ReadAllText(path, MaxConfigBytes)) as JsonObject
                   ?? throw new InvalidDataException($"{path}: expected a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}({ex.LineNumber + 1}): invalid JSON: {ex.Message}", ex);
        }
        return FromJson(json, path);
    }

    /// <summary>Builds a config from parsed JSON; <paramref name="source"/> names the file in errors.</summary>
    public static ModelConfig FromJson(JsonObject json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        var reader = new Fields(json, source);
        var modelType = reader.String("model_type") ?? throw reader.Missing("model_type");
        var architecture = json["architectures"] is JsonArray { Count: > 0 } a ? a[0]?.GetValue<string>() ?? "" : "";
        var isGpt2 = modelType == "gpt2";
        var hidden = reader.Int(isGpt2 ? "n_embd" : "hidden_size", required: true)!.Value;
        var heads = reader.Int(isGpt2 ? "n_head" : "num_attention_heads", required: true)!.Value;
        if (hidden % heads != 0 && reader.Int("head_dim") is null)
            throw new InvalidDataException($"{source}: hidden size {hidden} is not divisible by {heads} heads and no head_dim is given.");
        var kvHeads = reader.Int("num_key_value_heads") ?? heads;
        if (heads % kvHeads != 0)
            throw new InvalidDataException($"{source}: num_attention_heads ({heads}) must be a multiple of num_key_value_heads ({kvHeads}).");
        return new ModelConfig
        {
            Architecture = architecture,
            ModelType = modelType,
            VocabSize = reader.Int("vocab_size", required: true)!.Value,
            HiddenSize = hidden,
            NumLayers = reader.Int(isGpt2 ? "n_layer" : "num_hidden_layers", required: true)!.Value,
            NumHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = reader.Int("head_dim") ?? hidden / heads,
            IntermediateSize = isGpt2 ? reader.Int("n_inner") ?? 4 * hidden : reader.Int("intermediate_size", required: true)!.Value,
            MaxPositions = reader.Int(isGpt2 ? "n_positions" : "max_position_embeddings") ?? 2048,
            NormEpsilon = reader.Double(isGpt2 ? "layer_norm_epsilon" : "rms_norm_eps") ?? (isGpt2 ? 1e-5 : 1e-6),
            RopeTheta = reader.Double("rope_theta") ?? 10000,
            TieWordEmbeddings = reader.Bool("tie_word_embeddings") ?? modelType is not ("llama" or "mistral" or "qwen2"),
            AttentionBias = modelType == "qwen2" || (reader.Bool("attention_bias") ?? false),
            MlpBias = reader.Bool("mlp_bias") ?? false,
            HiddenAct = reader.String(isGpt2 ? "activation_function" : "hidden_act") ?? (isGpt2 ? "gelu_new" : "silu"),
            BosTokenId = reader.TokenId("bos_token_id"),
            EosTokenId = json["eos_token_id"] is JsonArray { Count: > 0 } eos
                ? JsonNumbers.TryGetInt(eos[0], out var firstEos) ? firstEos : throw new InvalidDataException($"{source}: field 'eos_token_id' must hold integers, found {eos.ToJsonString()}.")
                : reader.TokenId("eos_token_id"),
            TorchDtype = reader.String("torch_dtype"),
            Raw = json,
        };
    }

    /// <summary>Typed access to optional fields with errors that name the file and field.</summary>
    sealed class Fields(JsonObject json, string source)
    {
        public InvalidDataException Missing(string name) => new($"{source}: required field '{name}' is missing.");

        public string? String(string name) => json[name] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            var other => throw new InvalidDataException($"{source}: field '{name}' must be a string, found {other.ToJsonString()}."),
        };

        public int? Int(string name, bool required = false)
        {
            var node = json[name];
            if (node is null) return required ? throw Missing(name) : null;
            if (JsonNumbers.TryGetInt(node, out var n) && n is > 0 and <= 1 << 24) return n;
            throw new InvalidDataException($"{source}: field '{name}' must be a positive integer up to {1 << 24}, found {node.ToJsonString()}.");
        }

        /// <summary>A token id: 0 is a valid id (many vocabularies put &lt;unk&gt; or &lt;s&gt; there); negative means none, as in HF configs.</summary>
        public int? TokenId(string name)
        {
            var node = json[name];
            if (node is null) return null;
            if (JsonNumbers.TryGetInt(node, out var n) && n <= 1 << 24) return n < 0 ? null : n;
            throw new InvalidDataException($"{source}: field '{name}' must be an integer token id, found {node.ToJsonString()}.");
        }

        public double? Double(string name)
        {
            var node = json[name];
            if (node is null) return null;
            if (JsonNumbers.TryGetDouble(node, out var x) && double.IsFinite(x) && x > 0) return x;
            throw new InvalidDataException($"{source}: field '{name}' must be a positive number, found {node.ToJsonString()}.");
        }

        public bool? Bool(string name) => json[name] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            var other => throw new InvalidDataException($"{source}: field '{name}' must be true or false, found {other.ToJsonString()}."),
        };
    }
}
