using GradSentry.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradSentry.Models;

/// <summary>
/// Maps a model's parameters to Hugging Face checkpoint tensors: the same name (optionally without the base-model
/// prefix), transposed where HF stores <c>[in, out]</c>, LoRA pairs excluded.
/// </summary>
sealed class CheckpointLayout
{
    readonly CausalLmArchitectures.Architecture _architecture;
    readonly bool _withoutPrefix;

    CheckpointLayout(CausalLmArchitectures.Architecture architecture, bool withoutPrefix)
    {
        _architecture = architecture;
        _withoutPrefix = withoutPrefix;
    }

    /// <summary>The layout HF writes with <c>save_pretrained</c>.</summary>
    public static CheckpointLayout Standard(ICausalLm model) => new(CausalLmArchitectures.Find(model.Config.Architecture), withoutPrefix: false);

    /// <summary>The layout of <paramref name="checkpoint"/>: with the base-model prefix unless no tensor carries it.</summary>
    public static CheckpointLayout Of(ICausalLm model, CheckpointDirectory checkpoint)
    {
        var architecture = CausalLmArchitectures.Find(model.Config.Architecture);
        var prefix = architecture.BaseModelPrefix + ".";
        var withoutPrefix = checkpoint.Tensors.Count > 0 && !checkpoint.Tensors.Any(t => t.Name.StartsWith(prefix, StringComparison.Ordinal));
        return new(architecture, withoutPrefix);
    }

    /// <summary>The base model's parameters (no LoRA) with their checkpoint names.</summary>
    public IReadOnlyList<(string CheckpointName, Parameter Parameter, bool Transposed)> Entries(ICausalLm model) =>
        model.Network.named_parameters()
            .Where(p => !IsLoraParameter(p.name))
            .Select(p => (CheckpointName(p.name), p.parameter, _architecture.IsTransposed(p.name)))
            .ToList();

    /// <summary>Checkpoint tensors that are no parameter but known to be harmless.</summary>
    public bool IsKnownExtra(string checkpointName, ICausalLm model) =>
        _architecture.IsKnownExtra(ModelName(checkpointName)) ||
        (model.Config.TieWordEmbeddings && checkpointName == "lm_head.weight");

    /// <summary>The shape a parameter has in the checkpoint.</summary>
    public static long[] CheckpointShape(Tensor parameter, bool transposed) =>
        transposed ? [.. parameter.shape.Reverse()] : parameter.shape;

    string CheckpointName(string name) =>
        _withoutPrefix && name.StartsWith(_architecture.BaseModelPrefix + ".", StringComparison.Ordinal)
            ? name[(_architecture.BaseModelPrefix.Length + 1)..]
            : name;

    string ModelName(string checkpointName) =>
        _withoutPrefix && !checkpointName.StartsWith("lm_head.", StringComparison.Ordinal)
            ? _architecture.BaseModelPrefix + "." + checkpointName
            : checkpointName;

    internal static bool IsLoraParameter(string name) =>
        name.Contains(".lora_A.", StringComparison.Ordinal) || name.Contains(".lora_B.", StringComparison.Ordinal);
}
