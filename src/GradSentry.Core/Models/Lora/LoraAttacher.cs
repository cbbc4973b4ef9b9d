using GradSentry.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models.Lora;

/// <summary>Attaches LoRA pairs to a model's <see cref="ProbeableLinear"/> layers (not merged: the base weights stay as they are).</summary>
public static class LoraAttacher
{
    /// <summary>
    /// Attaches fresh LoRA pairs like PEFT initializes them: <c>lora_B = 0</c> (so outputs are unchanged) and
    /// <c>lora_A</c> kaiming-uniform with <c>a = √5</c>, i.e. <c>U(-1/√in, 1/√in)</c>, drawn in module order from one CPU
    /// generator seeded with <paramref name="seed"/>.
    /// </summary>
    /// <returns>The names of the modules that received a pair, in module order.</returns>
    /// <exception cref="InvalidDataException">A target matches nothing, matches a non-linear module, or a matched layer already has a pair.</exception>
    public static IReadOnlyList<string> AttachFresh(ICausalLm model, IEnumerable<string> targetModules, int r, double alpha, ulong seed, bool useRsLora = false) =>
        AttachFresh(model, LoraTargets.FromNames(targetModules), r, alpha, seed, useRsLora);

    /// <inheritdoc cref="AttachFresh(ICausalLm, IEnumerable{string}, int, double, ulong, bool)"/>
    public static IReadOnlyList<string> AttachFresh(ICausalLm model, LoraTargets targets, int r, double alpha, ulong seed, bool useRsLora = false)
    {
        var config = new LoraAdapterConfig { Rank = r, Alpha = alpha, TargetModules = targets, UseRsLora = useRsLora };
        var attached = Attach(model, config);
        using var generator = new Generator(seed, CPU);
        using var noGrad = no_grad();
        foreach (var name in attached)
        {
            using var scope = NewDisposeScope();
            var layer = model.GetLinear(name);
            var bound = 1.0 / Math.Sqrt(layer.InFeatures);
            var a = rand(layer.LoraA!.Weight.shape, ScalarType.Float32, CPU, generator: generator).mul(2 * bound).sub(bound);
            layer.LoraA.Weight.copy_(a);
            layer.LoraB!.Weight.zero_();
        }
        return attached;
    }

    /// <summary>
    /// Attaches <b>uninitialized</b> pairs (rank, alpha and targets from <paramref name="config"/>) for the caller to
    /// fill, e.g. from an adapter file. Nothing is attached unless every target is valid.
    /// </summary>
    /// <returns>The names of the modules that received a pair, in module order.</returns>
    /// <exception cref="InvalidDataException">A target matches nothing, matches a non-linear module, or a matched layer already has a pair.</exception>
    public static IReadOnlyList<string> Attach(ICausalLm model, LoraAdapterConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        var targets = FindTargets(model, config.TargetModules);
        foreach (var (_, layer) in targets) layer.AttachLora(config.Rank, config.Alpha, config.UseRsLora);
        return targets.Select(t => t.Key).ToList();
    }

    /// <summary>Removes every LoRA pair from <paramref name="model"/>.</summary>
    public static void RemoveAll(ICausalLm model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var (_, layer) in model.Linears().Where(l => l.Value.LoraA is not null).ToList()) layer.RemoveLora();
    }

    /// <summary>The base linear layers <paramref name="targets"/> selects (PEFT matching rules), validated.</summary>
    /// <exception cref="InvalidDataException">A target matches nothing, matches a non-linear module, or a matched layer already has a pair.</exception>
    public static IReadOnlyList<KeyValuePair<string, ProbeableLinear>> FindTargets(ICausalLm model, LoraTargets targets)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(targets);
        var outputLayer = model.OutputWeightName.EndsWith(".weight", StringComparison.Ordinal) ? model.OutputWeightName[..^".weight".Length] : model.OutputWeightName;
        var modules = ModuleTree.PreOrder(model.Network)
            .Where(m => !IsInsideLora(m.Name))
            .ToList();
        var selected = new List<KeyValuePair<string, ProbeableLinear>>();
        var problems = new List<string>();
        foreach (var (name, module) in modules)
        {
            if (!targets.Matches(name, isOutputLayer: name == outputLayer)) continue;
            if (module is not ProbeableLinear layer)
            {
                if (targets.Pattern != LoraTargets.AllLinear)
                    problems.Add($"'{name}' ({module.GetType().Name}) is not a linear layer");
                continue;
            }
            if (layer.LoraA is not null) problems.Add($"'{name}' already has a LoRA pair");
            selected.Add(KeyValuePair.Create(name, layer));
        }
        if (targets.Names is { } names)
            foreach (var entry in names.Where(e => !modules.Any(m => LoraTargets.MatchesEntry(m.Name, e))))
                problems.Add($"target '{entry}' matches no module");
        if (selected.Count == 0 && problems.Count == 0) problems.Add($"target_modules {targets} matches no linear layer");
        if (problems.Count > 0)
        {
            var available = model.Linears().Select(l => l.Key.Split('.')[^1]).Where(n => !n.StartsWith("lora_", StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal);
            throw new InvalidDataException(
                $"LoRA target_modules {targets} do not fit {model.Config.Architecture}: {string.Join("; ", problems)}. Linear layers of this model: {string.Join(", ", available)}.");
        }
        return selected;
    }

    static bool IsInsideLora(string name) =>
        name.Split('.').Any(s => s is ProbeableLinear.LoraAName or ProbeableLinear.LoraBName);
}
