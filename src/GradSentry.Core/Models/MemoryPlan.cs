using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models;

/// <summary>
/// The compute dtype a model is loaded in and the memory that takes: what <see cref="Choose"/> decided, and why.
/// Pure: every fact about the machine (memory available, native bfloat16) is an input, so a test can decide for a
/// 7B model on a 24 GiB machine without either.
/// </summary>
/// <param name="DType">The parameter and compute dtype.</param>
/// <param name="Parameters">Parameters of the base model.</param>
/// <param name="WeightBytes">Bytes the weights take in <paramref name="DType"/>.</param>
/// <param name="NeededBytes">Estimated resident memory: weights plus <see cref="WorkingBytes"/>.</param>
/// <param name="AvailableBytes">Memory available (CPU), or null when unknown or not checked (CUDA).</param>
/// <param name="IsAuto">Whether the dtype was chosen (<c>--dtype auto</c>) rather than given.</param>
/// <param name="Reason">One sentence: which dtype and why.</param>
public sealed record MemoryPlan(ScalarType DType, long Parameters, long WeightBytes, long NeededBytes, long? AvailableBytes, bool IsAuto, string Reason)
{
    /// <summary>Fixed part of the working-memory estimate: the .NET runtime, libtorch and one batch's activations.</summary>
    public const long FixedWorkingBytes = 512L << 20;

    /// <summary>
    /// Memory on top of the weights while scanning: <see cref="FixedWorkingBytes"/> plus a tenth of the weights (the
    /// activations and output-layer groups of one batch grow with the model's width and vocabulary).
    /// </summary>
    public static long WorkingBytes(long weightBytes) => FixedWorkingBytes + weightBytes / 10;

    /// <summary>Weights plus working memory for <paramref name="parameters"/> parameters in <paramref name="dtype"/>.</summary>
    public static long Needed(long parameters, ScalarType dtype)
    {
        var weights = checked(parameters * ElementSize(dtype));
        return weights + WorkingBytes(weights);
    }

    /// <summary>Bytes per element of a compute dtype.</summary>
    public static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => 8,
        ScalarType.Float16 or ScalarType.BFloat16 => 2,
        _ => 4,
    };

    /// <summary>
    /// Chooses the compute dtype and checks that it fits, before anything is allocated.
    /// <list type="bullet">
    /// <item>A requested dtype is used as given; on the CPU it must fit in <paramref name="availableBytes"/>.</item>
    /// <item><c>auto</c> on CUDA: the checkpoint's <c>torch_dtype</c> when it is bfloat16 or float16, else float32 (device
    /// memory is the allocator's to check).</item>
    /// <item><c>auto</c> on the CPU: bfloat16 when the weights are stored in 16 bits and the CPU computes bfloat16
    /// natively (no float32 copy, half the memory, faster matrix products); otherwise float32 when it fits, else
    /// bfloat16 when that fits.</item>
    /// </list>
    /// </summary>
    /// <param name="parameters">Parameters of the model.</param>
    /// <param name="requested">The dtype asked for; null is <c>auto</c>.</param>
    /// <param name="device">Where the weights go.</param>
    /// <param name="stored">The floating-point type most of the checkpoint's bytes are stored in, if known.</param>
    /// <param name="configTorchDType"><c>config.json</c>'s <c>torch_dtype</c>, if any (used on CUDA, and when <paramref name="stored"/> is unknown).</param>
    /// <param name="availableBytes">Memory the process can still take on the CPU; null when unknown (nothing is checked).</param>
    /// <param name="nativeBFloat16">Whether the CPU has bfloat16 matrix instructions (AVX512-BF16, AMX-BF16, Arm BF16).</param>
    /// <param name="source">The model directory, for the error message.</param>
    /// <exception cref="ModelTooLargeException">The model does not fit in the memory available in the requested dtype, or in any dtype (auto).</exception>
    public static MemoryPlan Choose(long parameters, ScalarType? requested, DeviceType device, ScalarType? stored, string? configTorchDType,
        long? availableBytes, bool nativeBFloat16, string source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(availableBytes ?? 1, nameof(availableBytes));
        var storedText = stored is { } s ? ComputeDTypes.Name(s) : configTorchDType ?? "an unknown dtype";
        var stored16 = stored is ScalarType.BFloat16 or ScalarType.Float16
                       || (stored is null && configTorchDType is "bfloat16" or "float16");

        if (device != DeviceType.CPU)
        {
            if (requested is { } given) return Plan(given, available: null, auto: false, $"{ComputeDTypes.Name(given)} as requested (--dtype).");
            var fromConfig = configTorchDType switch
            {
                "bfloat16" => ScalarType.BFloat16,
                "float16" => ScalarType.Float16,
                _ => ScalarType.Float32,
            };
            return Plan(fromConfig, null, auto: true, fromConfig == ScalarType.Float32
                ? "auto on a GPU: float32, as config.json names no 16-bit torch_dtype."
                : $"auto on a GPU: the checkpoint's torch_dtype {configTorchDType}.");
        }

        if (requested is { } asked)
        {
            var plan = Plan(asked, availableBytes, auto: false, $"{ComputeDTypes.Name(asked)} as requested (--dtype).");
            if (!Fits(plan.NeededBytes, availableBytes)) throw TooLarge(asked, availableBytes!.Value, auto: false);
            return plan;
        }

        if (stored16 && nativeBFloat16)
        {
            var plan = Plan(ScalarType.BFloat16, availableBytes, auto: true,
                $"auto on the CPU: bfloat16, because the weights are stored in {storedText} and this CPU computes bfloat16 natively (no float32 copy, half the memory of float32, faster matrix products).");
            if (!Fits(plan.NeededBytes, availableBytes)) throw TooLarge(ScalarType.BFloat16, availableBytes!.Value, auto: true);
            return plan;
        }
        var f32 = Needed(parameters, ScalarType.Float32);
        if (Fits(f32, availableBytes))
            return Plan(ScalarType.Float32, availableBytes, auto: true, availableBytes is { } a
                ? $"auto on the CPU: float32, which fits ({Gib(f32)} GiB needed, {Gib(a)} GiB available){(stored16 ? "; this CPU has no native bfloat16 matrix instructions, so float32 is faster" : "")}."
                : "auto on the CPU: float32 (the memory available is unknown).");
        var bf16 = Needed(parameters, ScalarType.BFloat16);
        if (Fits(bf16, availableBytes))
            return Plan(ScalarType.BFloat16, availableBytes, auto: true,
                $"auto on the CPU: bfloat16, because float32 would need {Gib(f32)} GiB and only {Gib(availableBytes!.Value)} GiB is available (bfloat16 needs {Gib(bf16)} GiB).");
        throw TooLarge(ScalarType.BFloat16, availableBytes!.Value, auto: true);

        MemoryPlan Plan(ScalarType dtype, long? available, bool auto, string reason)
        {
            var weights = checked(parameters * ElementSize(dtype));
            return new MemoryPlan(dtype, parameters, weights, weights + WorkingBytes(weights), available, auto, reason);
        }

        ModelTooLargeException TooLarge(ScalarType dtype, long available, bool auto)
        {
            var needed = Needed(parameters, dtype);
            var smallest = Needed(parameters, ScalarType.BFloat16);
            var weights = parameters * ElementSize(dtype);
            var what = string.Create(CultureInfo.InvariantCulture,
                $"the model ({(parameters >= 1e9 ? $"{parameters / 1e9:0.##}B" : $"{parameters / 1e6:0.##}M")} parameters) needs about {Gib(needed)} GiB in {ComputeDTypes.Name(dtype)} ({Gib(weights)} GiB of weights + {Gib(needed - weights)} GiB working memory), but only {Gib(available)} GiB of memory is available");
            string help;
            if (!auto && Fits(smallest, available))
                help = $"; --dtype bfloat16 needs {Gib(smallest)} GiB, which fits (or --dtype auto).";
            else
                help = $"{(auto || dtype is ScalarType.BFloat16 or ScalarType.Float16 ? ", so it fits in no dtype on this machine (bfloat16 and float16 are the smallest)" : $"; even bfloat16 needs {Gib(smallest)} GiB")}. " +
                       $"Run it on a GPU with at least {Gib(smallest)} GiB of memory (--device cuda --dtype bfloat16), free memory on this machine, or scan with a smaller model of the same family.";
            return new ModelTooLargeException(source, needed, available, smallest, what + help);
        }
    }

    static bool Fits(long needed, long? available) => available is not { } a || needed <= a;

    /// <summary>Bytes as GiB with up to two decimals.</summary>
    public static string Gib(long bytes) => (bytes / (double)(1L << 30)).ToString("0.##", CultureInfo.InvariantCulture);
}
