using GradSentry.Models;

namespace GradSentry.Scoring;

/// <summary>Picks the probe for a target.</summary>
public static class GradientProbes
{
    /// <summary>
    /// The output projection gets the closed form; any other Linear weight (LoRA factors included) the
    /// batched backward probe; <paramref name="naive"/> forces the reference loop.
    /// </summary>
    public static IGradientProbe Create(ICausalLm model, ProbeOptions options, bool naive = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (naive) return new NaiveAutogradProbe(model, options);
        if (TargetResolver.IsOutputProjection(model, options.TargetParameter)) return new LmHeadClosedFormProbe(model, options);
        return new LinearBatchedProbe(model, options);
    }
}
