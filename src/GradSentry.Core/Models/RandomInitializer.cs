using GradSentry.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models;

/// <summary>
/// Deterministic random weights for a model built by <see cref="CausalLmArchitectures.Create"/>: every parameter, in
/// registration order, draws from one seeded CPU generator in float32 (so the same seed gives bit-identical weights on
/// any device or dtype). Matrices and embeddings ~ N(0, std); 1-D <c>weight</c>s (norms) ~ 1 + N(0, jitter); biases
/// ~ N(0, bias std). LoRA pairs are left alone (see <see cref="Lora.LoraAttacher"/>).
/// </summary>
public static class RandomInitializer
{
    /// <summary>Fills every parameter of <paramref name="model"/>.</summary>
    public static void Initialize(ICausalLm model, RandomInitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new RandomInitOptions();
        options.Validate();
        using var generator = new Generator(options.Seed, CPU);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.Network.named_parameters())
        {
            if (IsLora(name)) continue;
            using var scope = NewDisposeScope();
            var draw = randn(parameter.shape, ScalarType.Float32, CPU, generator: generator);
            Tensor value;
            if (name.EndsWith(".bias", StringComparison.Ordinal)) value = draw.mul(options.BiasStd);
            else if (parameter.dim() == 1) value = draw.mul(options.NormJitterStd).add(1.0);
            else value = draw.mul(options.StdOverrides.TryGetValue(name, out var std) ? std : options.Std);
            parameter.copy_(value);
        }
    }

    static bool IsLora(string name) =>
        name.Contains("." + ProbeableLinear.LoraAName + ".", StringComparison.Ordinal) ||
        name.Contains("." + ProbeableLinear.LoraBName + ".", StringComparison.Ordinal);
}
