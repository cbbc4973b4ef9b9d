using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GradSentry.Models.Lora;

/// <summary>
/// The parts of a PEFT <c>adapter_config.json</c> a LoRA adapter needs: <c>r</c>, <c>lora_alpha</c>,
/// <c>target_modules</c>, <c>use_rslora</c>. Features that change the math and are not implemented (DoRA,
/// <c>modules_to_save</c>, trained biases, rank/alpha patterns, <c>layers_to_transform</c>) are refused, never ignored.
/// </summary>
public sealed record LoraAdapterConfig
{
    /// <summary><c>r</c>, the rank.</summary>
    public required int Rank { get; init; }

    /// <summary><c>lora_alpha</c>.</summary>
    public required double Alpha { get; init; }

    /// <summary><c>target_modules</c>.</summary>
    public required LoraTargets TargetModules { get; init; }

    /// <summary><c>use_rslora</c>: scaling <c>alpha / √r</c> instead of <c>alpha / r</c>.</summary>
    public bool UseRsLora { get; init; }

    /// <summary><c>base_model_name_or_path</c> as written (informational; never used to find the model).</summary>
    public string? BaseModelNameOrPath { get; init; }

    /// <summary>The factor applied to <c>lora_B(lora_A(x))</c>.</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>Reads and validates an <c>adapter_config.json</c>.</summary>
    /// <exception cref="InvalidDataException">Invalid JSON, a missing or bad field, or an unsupported PEFT feature (the message names the file and field).</exception>
    public static LoraAdapterConfig Load(string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(GradSentry.IO.RegularFile.ReadAllText(path, ModelConfig.MaxConfigBytes)) as JsonObject ?? throw new InvalidDataException($"{path}: expected a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}({ex.LineNumber + 1}): invalid JSON: {ex.Message}", ex);
        }
        return FromJson(json, path);
    }

    /// <summary>Builds a config from parsed JSON; <paramref name="source"/> names the file in errors.</summary>
    public static LoraAdapterConfig FromJson(JsonObject json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        var peftType = Text(json, "peft_type", source);
        if (peftType is not null && !string.Equals(peftType, "LORA", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{source}: peft_type '{peftType}' is not supported; only LORA adapters are.");
        Refuse(json, "use_dora", source, n => n is JsonValue v && v.TryGetValue<bool>(out var b) && b, "DoRA adapters are not supported");
        Refuse(json, "modules_to_save", source, n => n is JsonArray { Count: > 0 } || n is JsonValue, "fully trained extra modules (modules_to_save) are not supported");
        Refuse(json, "bias", source, n => Text(n) is { } b && b != "none", "trained biases (bias other than \"none\") are not supported");
        Refuse(json, "rank_pattern", source, n => n is JsonObject { Count: > 0 }, "per-module ranks (rank_pattern) are not supported");
        Refuse(json, "alpha_pattern", source, n => n is JsonObject { Count: > 0 }, "per-module alphas (alpha_pattern) are not supported");
        Refuse(json, "layers_to_transform", source, n => n is not null, "layers_to_transform is not supported");
        Refuse(json, "lora_bias", source, n => n is JsonValue v && v.TryGetValue<bool>(out var b) && b, "LoRA biases (lora_bias) are not supported");

        var rank = JsonNumbers.TryGetInt(json["r"], out var rv) && rv > 0
            ? rv
            : throw new InvalidDataException($"{source}: field 'r' must be a positive integer, found {json["r"]?.ToJsonString() ?? "nothing"}.");
        double alpha = 8; // PEFT's default
        if (json["lora_alpha"] is { } alphaNode)
            alpha = JsonNumbers.TryGetDouble(alphaNode, out var av) && double.IsFinite(av) && av > 0
                ? av
                : throw new InvalidDataException($"{source}: field 'lora_alpha' must be a positive number, found {alphaNode.ToJsonString()}.");
        var rs = json["use_rslora"] is JsonValue u && u.TryGetValue<bool>(out var ub) && ub;
        return new LoraAdapterConfig
        {
            Rank = rank,
            Alpha = alpha,
            TargetModules = LoraTargets.FromJson(json["target_modules"], source),
            UseRsLora = rs,
            BaseModelNameOrPath = Text(json, "base_model_name_or_path", source),
        };
    }

    /// <summary>The <c>adapter_config.json</c> PEFT writes for this adapter (causal LM, inference mode, no dropout).</summary>
    public JsonObject ToJson() => new()
    {
        ["alpha_pattern"] = new JsonObject(),
        ["base_model_name_or_path"] = BaseModelNameOrPath,
        ["bias"] = "none",
        ["fan_in_fan_out"] = false,
        ["inference_mode"] = true,
        ["lora_alpha"] = Alpha == Math.Floor(Alpha) && Math.Abs(Alpha) < 1e15 ? JsonValue.Create((long)Alpha) : JsonValue.Create(Alpha),
        ["lora_dropout"] = 0.0,
        ["modules_to_save"] = null,
        ["peft_type"] = "LORA",
        ["r"] = Rank,
        ["rank_pattern"] = new JsonObject(),
        ["target_modules"] = TargetModules.ToJson(),
        ["task_type"] = "CAUSAL_LM",
        ["use_dora"] = false,
        ["use_rslora"] = UseRsLora,
    };

    static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    static string? Text(JsonObject json, string name, string source) => json[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var other => throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{source}: field '{name}' must be a string, found {other.ToJsonString()}.")),
    };

    static void Refuse(JsonObject json, string name, string source, Func<JsonNode?, bool> isUsed, string reason)
    {
        if (json.ContainsKey(name) && isUsed(json[name]))
            throw new InvalidDataException($"{source}: {reason} (field '{name}' = {json[name]?.ToJsonString()}).");
    }
}
