using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models.Layers;

/// <summary>
/// Rotary position embedding as Hugging Face computes it: <c>inv_freq = 1 / θ^(2i/d)</c> in float32 (optionally
/// rescaled by <c>rope_scaling</c> type <c>linear</c> or <c>llama3</c>), <c>cos/sin</c> of <c>position ⊗ inv_freq</c>
/// duplicated to width d, and the <c>rotate_half</c> convention <c>x·cos + [-x₂, x₁]·sin</c>.
/// Holds no parameters (HF's <c>inv_freq</c> is a non-persistent buffer).
/// </summary>
public sealed class RotaryEmbedding
{
    /// <summary>The <c>rope_scaling</c> types this implementation supports.</summary>
    public static IReadOnlyList<string> SupportedScalingTypes { get; } = ["default", "linear", "llama3"];

    readonly float[] _inverseFrequencies;

    /// <summary>Builds the frequencies for head width <paramref name="headDim"/>.</summary>
    /// <param name="headDim">Rotated width (even).</param>
    /// <param name="theta">Base θ (<c>rope_theta</c>).</param>
    /// <param name="scaling">The <c>rope_scaling</c> object of <c>config.json</c>, or null.</param>
    /// <exception cref="InvalidDataException">An unsupported or malformed <c>rope_scaling</c>.</exception>
    public RotaryEmbedding(int headDim, double theta, JsonObject? scaling = null)
    {
        if (headDim < 2 || headDim % 2 != 0) throw new ArgumentOutOfRangeException(nameof(headDim), headDim, "head_dim must be even.");
        HeadDim = headDim;
        using var scope = NewDisposeScope();
        // HF: 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim)), all in float32.
        var exponents = torch.arange(0L, headDim, 2L, ScalarType.Int64).to(ScalarType.Float32).div(headDim);
        var inverse = torch.full([headDim / 2], theta, ScalarType.Float32).pow(exponents).reciprocal();
        inverse = ApplyScaling(inverse, scaling);
        _inverseFrequencies = inverse.data<float>().ToArray();
    }

    /// <summary>Rotated width.</summary>
    public int HeadDim { get; }

    /// <summary>The (scaled) inverse frequencies, <c>HeadDim / 2</c> values.</summary>
    public IReadOnlyList<float> InverseFrequencies => _inverseFrequencies;

    /// <summary><c>cos</c> and <c>sin</c> tables <c>[length, HeadDim]</c> for positions <c>0..length-1</c>, computed in float32 and cast to <paramref name="dtype"/>.</summary>
    public (Tensor Cos, Tensor Sin) Tables(long length, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var positions = torch.arange(0L, length, 1L, ScalarType.Int64, device).to(ScalarType.Float32);
        var inverse = torch.tensor(_inverseFrequencies, device: device);
        var frequencies = torch.outer(positions, inverse);
        var angles = torch.cat([frequencies, frequencies], -1);
        var cos = angles.cos().to(dtype);
        var sin = angles.sin().to(dtype);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary>Rotates <paramref name="x"/> <c>[.., length, HeadDim]</c>: <c>x·cos + rotate_half(x)·sin</c>.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        var half = x.shape[^1] / 2;
        var halves = x.split([half, half], -1);
        var rotated = torch.cat([halves[1].neg(), halves[0]], -1);
        return x.mul(cos).add(rotated.mul(sin)).MoveToOuterDisposeScope();
    }

    static Tensor ApplyScaling(Tensor inverse, JsonObject? scaling)
    {
        if (scaling is null) return inverse;
        var type = (scaling["rope_type"] ?? scaling["type"])?.GetValue<string>() ?? "default";
        switch (type)
        {
            case "default":
                return inverse;
            case "linear":
                return inverse.div(Number(scaling, "factor"));
            case "llama3":
            {
                // HF _compute_llama3_parameters: long wavelengths are divided by factor, short ones kept,
                // the band between them interpolated smoothly.
                var factor = Number(scaling, "factor");
                var low = Number(scaling, "low_freq_factor");
                var high = Number(scaling, "high_freq_factor");
                var original = Number(scaling, "original_max_position_embeddings");
                if (high <= low) throw new InvalidDataException($"rope_scaling: high_freq_factor ({high}) must exceed low_freq_factor ({low}).");
                var lowWavelength = original / low;
                var highWavelength = original / high;
                var wavelength = inverse.reciprocal().mul(2 * Math.PI);
                var scaled = torch.where(wavelength.gt(lowWavelength), inverse.div(factor), inverse);
                var smooth = wavelength.reciprocal().mul(original).sub(low).div(high - low);
                var smoothed = smooth.neg().add(1).mul(scaled).div(factor).add(smooth.mul(scaled));
                var medium = wavelength.less(highWavelength).logical_not().logical_and(wavelength.gt(lowWavelength).logical_not());
                return torch.where(medium, smoothed, scaled);
            }
            default:
                throw new InvalidDataException($"rope_scaling type '{type}' is not supported; supported: {string.Join(", ", SupportedScalingTypes)}.");
        }
    }

    static double Number(JsonObject scaling, string name) =>
        JsonNumbers.TryGetDouble(scaling[name], out var x) && double.IsFinite(x) && x > 0
            ? x
            : throw new InvalidDataException($"rope_scaling: field '{name}' must be a positive number.");
}
