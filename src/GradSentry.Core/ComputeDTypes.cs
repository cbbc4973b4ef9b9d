using GradSentry.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry;

/// <summary>
/// The model's compute dtype from a user string: <c>auto</c>, <c>float32</c>, <c>bfloat16</c> or <c>float16</c>
/// (also <c>fp32</c>, <c>bf16</c>, <c>fp16</c>). Whatever it is, the spectral math runs in float32/float64.
/// </summary>
public static class ComputeDTypes
{
    /// <summary>The accepted names, <c>auto</c> first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["auto", "float32", "bfloat16", "float16"];

    /// <summary>Parses <paramref name="text"/>; null means <c>auto</c> (see <see cref="Resolve"/>).</summary>
    /// <exception cref="ArgumentException">Not a compute dtype name.</exception>
    public static ScalarType? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "auto" => null,
            "float32" or "fp32" => ScalarType.Float32,
            "bfloat16" or "bf16" => ScalarType.BFloat16,
            "float16" or "fp16" => ScalarType.Float16,
            _ => throw new ArgumentException($"'{text}' is not a compute dtype; use {string.Join(", ", Names)}."),
        };
    }

    /// <summary>The lower-case name of <paramref name="dtype"/>, as <see cref="Parse"/> reads it.</summary>
    public static string Name(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => dtype.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// <paramref name="requested"/>, or for <c>auto</c> (null) when nothing is known of the checkpoint's bytes or the
    /// machine: float32 on the CPU; on CUDA the checkpoint's own <c>torch_dtype</c> when it is bfloat16 or float16 (half the memory of
    /// float32), else float32. The loader decides <c>auto</c> with more facts (stored dtype, native bfloat16, memory
    /// available): see <see cref="MemoryPlan.Choose"/>.
    /// </summary>
    public static ScalarType Resolve(ScalarType? requested, Device device, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(config);
        if (requested is { } dtype) return dtype;
        if (device.type != DeviceType.CUDA) return ScalarType.Float32;
        var stored = config.Raw["torch_dtype"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return stored switch
        {
            "bfloat16" => ScalarType.BFloat16,
            "float16" => ScalarType.Float16,
            _ => ScalarType.Float32,
        };
    }
}
