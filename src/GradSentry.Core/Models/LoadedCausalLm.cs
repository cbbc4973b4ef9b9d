using GradSentry.Models.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models;

/// <summary>A model loaded by <see cref="CausalLmLoader"/>: the <see cref="ICausalLm"/> plus where and how it was loaded.</summary>
public sealed class LoadedCausalLm : ICausalLm
{
    internal LoadedCausalLm(ICausalLm model, string directory, Device device, ScalarType computeDType, string? adapterDirectory, LoraAdapterConfig? adapter)
    {
        Model = model;
        Directory = directory;
        Device = device;
        ComputeDType = computeDType;
        AdapterDirectory = adapterDirectory;
        Adapter = adapter;
    }

    /// <summary>The architecture module (e.g. <see cref="Llama.LlamaForCausalLM"/>).</summary>
    public ICausalLm Model { get; }

    /// <summary>Full path of the model directory.</summary>
    public string Directory { get; }

    /// <summary>Device the parameters live on.</summary>
    public Device Device { get; }

    /// <summary>Parameter and compute dtype.</summary>
    public ScalarType ComputeDType { get; }

    /// <summary>How the dtype was chosen and the memory the model was estimated to need; null when built without the loader's check.</summary>
    public MemoryPlan? MemoryPlan { get; internal init; }

    /// <summary>Full path of the loaded LoRA adapter directory, or null.</summary>
    public string? AdapterDirectory { get; }

    /// <summary>The loaded adapter's configuration, or null.</summary>
    public LoraAdapterConfig? Adapter { get; }

    /// <inheritdoc />
    public ModelConfig Config => Model.Config;

    /// <inheritdoc />
    public nn.Module Network => Model.Network;

    /// <inheritdoc />
    public Tensor OutputWeight => Model.OutputWeight;

    /// <inheritdoc />
    public string OutputWeightName => Model.OutputWeightName;

    /// <inheritdoc />
    public Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask = null) => Model.ForwardHidden(inputIds, attentionMask);

    /// <inheritdoc />
    public Tensor ForwardHiddenAt(Tensor inputIds, Tensor positions, int sharedPrefix = 0) => Model.ForwardHiddenAt(inputIds, positions, sharedPrefix);

    /// <inheritdoc />
    public Tensor Logits(Tensor hidden) => Model.Logits(hidden);

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
