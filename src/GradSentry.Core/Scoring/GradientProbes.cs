using GradSentry.Models;

namespace GradSentry.Scoring;

/// <summary>Picks the probe for a target.</summary>
public static class GradientProbes
{
    /// <summary>
    /// The output projection gets the closed form; any other Linear weight (LoRA factors included) the
    /// batched backward probe; <paramref name="naive"/> forces the reference loop.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Target, k and slice.</param>
    /// <param name="naive">Force the reference loop.</param>
    /// <param name="sketch">Also return a <see cref="GradientSketch"/> per sample (the length-controlled score); needs the output projection and the closed form.</param>
    /// <exception cref="ArgumentException"><paramref name="sketch"/> with another target or with <paramref name="naive"/>.</exception>
    public static IGradientProbe Create(ICausalLm model, ProbeOptions options, bool naive = false, bool sketch = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var lmHead = TargetResolver.IsOutputProjection(model, options.TargetParameter);
        if (sketch && (naive || !lmHead))
            throw new ArgumentException(
                $"the trigger-conditional and length-controlled scores are computed from the lm_head gradient in closed form; target '{model.OutputWeightName}' (not '{options.TargetParameter}') without the naive loop, or use the reference score for other targets.");
        if (naive) return new NaiveAutogradProbe(model, options);
        if (lmHead) return new LmHeadClosedFormProbe(model, options, sketch);
        return new LinearBatchedProbe(model, options);
    }
}
