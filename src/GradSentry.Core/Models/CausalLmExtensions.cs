using GradSentry.Models.Layers;

namespace GradSentry.Models;

/// <summary>Helpers every <see cref="ICausalLm"/> gets.</summary>
public static class CausalLmExtensions
{
    /// <summary>Every <see cref="ProbeableLinear"/> by module name (e.g. <c>lm_head</c>, <c>model.layers.0.self_attn.q_proj</c>, <c>...q_proj.lora_A</c>), in module order.</summary>
    public static IReadOnlyList<KeyValuePair<string, ProbeableLinear>> Linears(this ICausalLm model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ModuleTree.PreOrder(model.Network)
            .Where(m => m.Module is ProbeableLinear)
            .Select(m => KeyValuePair.Create(m.Name, (ProbeableLinear)m.Module))
            .ToList();
    }

    /// <summary>The <see cref="ProbeableLinear"/> named <paramref name="name"/> (a module name, or its <c>.weight</c>/<c>.bias</c> parameter name).</summary>
    /// <exception cref="KeyNotFoundException">No linear layer has that name (the message lists a few that do).</exception>
    public static ProbeableLinear GetLinear(this ICausalLm model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var moduleName = name.EndsWith(".weight", StringComparison.Ordinal) ? name[..^".weight".Length]
            : name.EndsWith(".bias", StringComparison.Ordinal) ? name[..^".bias".Length] : name;
        var linears = model.Linears();
        foreach (var (n, layer) in linears)
            if (n == moduleName) return layer;
        throw new KeyNotFoundException(
            $"'{name}' is not a linear layer of {model.Config.Architecture}; linear layers include {string.Join(", ", linears.Take(8).Select(l => l.Key))}, ...");
    }
}
