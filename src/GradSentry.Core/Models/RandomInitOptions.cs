namespace GradSentry.Models;

/// <summary>How <see cref="RandomInitializer"/> fills a freshly built model.</summary>
public sealed record RandomInitOptions
{
    /// <summary>Seed of the CPU generator all draws come from.</summary>
    /// <value>Default 1.</value>
    public ulong Seed { get; init; } = 1;

    /// <summary>Standard deviation of weight matrices and embeddings (HF <c>initializer_range</c>).</summary>
    /// <value>Default 0.02.</value>
    public double Std { get; init; } = 0.02;

    /// <summary>Norm weights are <c>1 + N(0, NormJitterStd)</c> (0 gives HF's all-ones).</summary>
    /// <value>Default 0.05.</value>
    public double NormJitterStd { get; init; } = 0.05;

    /// <summary>Standard deviation of biases (0 gives HF's zeros).</summary>
    /// <value>Default 0.02.</value>
    public double BiasStd { get; init; } = 0.02;

    /// <summary>Per-parameter standard deviations that replace <see cref="Std"/>, e.g. <c>lm_head.weight</c> → 1.0 for peaked outputs.</summary>
    /// <value>Default empty.</value>
    public IReadOnlyDictionary<string, double> StdOverrides { get; init; } = new Dictionary<string, double>();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for negative or non-finite deviations.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { (nameof(Std), Std), (nameof(NormJitterStd), NormJitterStd), (nameof(BiasStd), BiasStd) }
                     .Concat(StdOverrides.Select(kv => ($"{nameof(StdOverrides)}[{kv.Key}]", kv.Value))))
            if (!double.IsFinite(value) || value < 0)
                throw new ArgumentOutOfRangeException(name, value, "standard deviations must be finite and non-negative.");
    }
}
