namespace GradSentry.Models.Llama;

/// <summary>
/// What distinguishes the Llama-family architectures that share these modules.
/// </summary>
/// <param name="Architecture">The <c>architectures[0]</c> name this instance implements.</param>
/// <param name="QkvBias">Biases on q/k/v projections (Qwen2: always; Llama/Mistral: <c>attention_bias</c>).</param>
/// <param name="OutputBias">Bias on <c>o_proj</c> (Llama/Mistral: <c>attention_bias</c>; Qwen2: never).</param>
/// <param name="SlidingWindow">
/// Sliding-window attention width, or null. Not implemented as a mask: inputs longer than the window are refused,
/// and for inputs up to the window the result equals full causal attention.
/// </param>
public sealed record LlamaFamilyOptions(string Architecture, bool QkvBias, bool OutputBias, int? SlidingWindow)
{
    /// <summary>The options <paramref name="config"/> implies for Llama, Mistral or Qwen2.</summary>
    /// <exception cref="InvalidDataException">The architecture is not a Llama-family one.</exception>
    public static LlamaFamilyOptions For(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var window = JsonNumbers.TryGetInt(config.Raw["sliding_window"], out var n) && n > 0 ? n : (int?)null;
        return config.Architecture switch
        {
            "LlamaForCausalLM" => new(config.Architecture, config.AttentionBias, config.AttentionBias, null),
            "MistralForCausalLM" => new(config.Architecture, config.AttentionBias, config.AttentionBias, window),
            // Qwen2 applies its window only when use_sliding_window is true.
            "Qwen2ForCausalLM" => new(config.Architecture, true, false,
                config.Raw["use_sliding_window"] is System.Text.Json.Nodes.JsonValue u && u.TryGetValue<bool>(out var use) && use ? window : null),
            _ => throw new InvalidDataException($"'{config.Architecture}' is not a Llama-family architecture."),
        };
    }
}
