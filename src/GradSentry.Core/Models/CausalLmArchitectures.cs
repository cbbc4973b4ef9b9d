using System.Text.RegularExpressions;
using GradSentry.Models.Gpt2;
using GradSentry.Models.Llama;
using static TorchSharp.torch;

namespace GradSentry.Models;

/// <summary>
/// The architectures this library can build, keyed by <c>config.json</c>'s <c>architectures[0]</c>, and how each
/// one's Hugging Face checkpoint layout differs from its module tree.
/// </summary>
public static partial class CausalLmArchitectures
{
    static readonly Architecture[] All =
    [
        new("LlamaForCausalLM", "model", "layers", (c, t, d) => new LlamaForCausalLM(c, t, d), IsLlamaExtra, static _ => false),
        new("MistralForCausalLM", "model", "layers", (c, t, d) => new LlamaForCausalLM(c, t, d), IsLlamaExtra, static _ => false),
        new("Qwen2ForCausalLM", "model", "layers", (c, t, d) => new LlamaForCausalLM(c, t, d), IsLlamaExtra, static _ => false),
        new("GPT2LMHeadModel", "transformer", "h", (c, t, d) => new Gpt2LMHeadModel(c, t, d), IsGpt2Extra, IsGpt2Conv1DWeight),
    ];

    /// <summary>Names of the supported architectures (<c>config.json</c> <c>architectures[0]</c>).</summary>
    public static IReadOnlyList<string> Supported { get; } = All.Select(a => a.Name).ToArray();

    /// <summary>Whether <paramref name="architecture"/> can be built.</summary>
    public static bool IsSupported(string architecture) => All.Any(a => a.Name == architecture);

    /// <summary>
    /// Builds the module tree for <paramref name="config"/> with <b>uninitialized</b> parameters (all with
    /// <c>requires_grad = false</c>) of <paramref name="dtype"/> on <paramref name="device"/>, in eval mode.
    /// Fill it from a checkpoint (<see cref="CausalLmLoader"/>) or an initializer (<see cref="RandomInitializer"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The architecture is not supported (the message lists the supported ones) or the config cannot be built.</exception>
    public static ICausalLm Create(ModelConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!is_floating_point(dtype)) throw new ArgumentException($"compute dtype must be floating point, got {dtype}.", nameof(dtype));
        var model = Find(config.Architecture).Create(config, dtype, device ?? CPU);
        model.Network.eval();
        foreach (var parameter in model.Network.parameters()) parameter.requires_grad_(false);
        return model;
    }

    internal static Architecture Find(string name) =>
        All.FirstOrDefault(a => a.Name == name)
        ?? throw new InvalidDataException(
            $"architecture '{(name.Length == 0 ? "(none: config.json has no 'architectures' entry)" : name)}' is not supported; supported: {string.Join(", ", Supported)}.");

    /// <summary>Older Llama-family checkpoints saved the rotary <c>inv_freq</c> buffer.</summary>
    static bool IsLlamaExtra(string name) => name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal);

    /// <summary>GPT-2 checkpoints carry the attention mask buffers <c>attn.bias</c> and <c>attn.masked_bias</c>.</summary>
    static bool IsGpt2Extra(string name) => Gpt2MaskBuffer().IsMatch(name);

    /// <summary>HF's GPT-2 <c>Conv1D</c> weights are stored <c>[in, out]</c>.</summary>
    static bool IsGpt2Conv1DWeight(string name) => Gpt2Conv1DWeight().IsMatch(name);

    [GeneratedRegex(@"^transformer\.h\.\d+\.attn\.(bias|masked_bias)$", RegexOptions.CultureInvariant)]
    private static partial Regex Gpt2MaskBuffer();

    [GeneratedRegex(@"^transformer\.h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$", RegexOptions.CultureInvariant)]
    private static partial Regex Gpt2Conv1DWeight();

    /// <summary>One supported architecture.</summary>
    /// <param name="Name">The <c>architectures[0]</c> name.</param>
    /// <param name="BaseModelPrefix">HF <c>base_model_prefix</c>: a checkpoint saved from the base model lacks this prefix.</param>
    /// <param name="LayersName">The name of the list of decoder layers under the base model (<c>layers</c>, GPT-2 <c>h</c>).</param>
    /// <param name="Create">Builds the uninitialized module tree.</param>
    /// <param name="IsKnownExtra">Checkpoint tensors that are not parameters and are ignored (buffers older versions saved).</param>
    /// <param name="IsTransposed">Parameters whose checkpoint layout is the transpose of the module's (<c>[in, out]</c>).</param>
    internal sealed record Architecture(
        string Name,
        string BaseModelPrefix,
        string LayersName,
        Func<ModelConfig, ScalarType, Device, ICausalLm> Create,
        Func<string, bool> IsKnownExtra,
        Func<string, bool> IsTransposed)
    {
        /// <summary>The decoder layer a checkpoint tensor belongs to (<c>model.layers.3.mlp...</c> → 3, with or without the prefix), or null.</summary>
        public int? LayerIndex(string tensorName)
        {
            var rest = tensorName.StartsWith(BaseModelPrefix + ".", StringComparison.Ordinal) ? tensorName[(BaseModelPrefix.Length + 1)..] : tensorName;
            if (!rest.StartsWith(LayersName + ".", StringComparison.Ordinal)) return null;
            rest = rest[(LayersName.Length + 1)..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && int.TryParse(rest.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : null;
        }
    }
}
