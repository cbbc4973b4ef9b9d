using static TorchSharp.torch;

namespace GradSentry.Models;

/// <summary>Options of <see cref="CausalLmLoader.Load"/>.</summary>
public sealed record CausalLmLoadOptions
{
    /// <summary>Device the parameters live on (see <see cref="TorchRuntime.ResolveDevice"/>).</summary>
    /// <value>Default CPU.</value>
    public Device Device { get; init; } = CPU;

    /// <summary>
    /// Parameter and compute dtype: <c>Float32</c>, <c>BFloat16</c> or <c>Float16</c> (checkpoint values are converted), or
    /// null for <c>auto</c>: chosen from the device, the stored dtype, the CPU and the memory available (see <see cref="MemoryPlan.Choose"/>).
    /// </summary>
    /// <value>Default <c>Float32</c>.</value>
    public ScalarType? ComputeDType { get; init; } = ScalarType.Float32;

    /// <summary>
    /// A PEFT LoRA adapter directory (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>). When null, an
    /// adapter lying in the model directory itself is loaded, if there is one.
    /// </summary>
    /// <value>Default null.</value>
    public string? AdapterDirectory { get; init; }

    /// <summary>When false, no adapter is loaded, not even one lying in the model directory.</summary>
    /// <value>Default true.</value>
    public bool UseAdapter { get; init; } = true;

    /// <summary>
    /// The most memory, in bytes, the model's weights may take on the CPU. The check runs before any weight is allocated.
    /// </summary>
    /// <value>Default null: the memory available when the model is loaded (Linux <c>MemAvailable</c>, within the process's limit).</value>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>Whether the CPU computes bfloat16 natively, for <c>auto</c> (a seam for tests).</summary>
    /// <value>Default null: detected (<see cref="HostMachine.HasNativeBFloat16"/>).</value>
    public bool? NativeBFloat16 { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for an unsupported dtype or a null device.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Device, nameof(Device));
        if (!UseAdapter && AdapterDirectory is not null)
            throw new ArgumentException("an adapter directory is given but UseAdapter is false.", nameof(AdapterDirectory));
        if (MemoryLimitBytes is <= 0)
            throw new ArgumentException($"the memory limit must be positive (got {MemoryLimitBytes}).", nameof(MemoryLimitBytes));
        if (ComputeDType is not (null or ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"compute dtype {ComputeDType} is not supported; use Float32, BFloat16 or Float16.", nameof(ComputeDType));
    }
}
