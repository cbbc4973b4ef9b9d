namespace GradSentry.Scoring;

/// <summary>How a dataset is scored: the probe, batching and the reference-loop switch.</summary>
public sealed record ScoringOptions
{
    /// <summary>Target parameter, rank k and slice factor.</summary>
    public ProbeOptions Probe { get; init; } = new();

    /// <summary>Samples per forward pass.</summary>
    /// <value>Default 16.</value>
    public int BatchSize { get; init; } = 16;

    /// <summary>Upper bound on padded tokens (batch × length) per forward pass; a batch is cut short to stay under it.</summary>
    /// <value>Default 16384.</value>
    public int MaxTokensPerBatch { get; init; } = 16384;

    /// <summary>
    /// Rows read ahead and sorted by length before batching (length bucketing). Memory is bounded by
    /// this window, not by the dataset.
    /// </summary>
    /// <value>Default 512.</value>
    public int Window { get; init; } = 512;

    /// <summary>Use the naive per-sample autograd loop (the reference's method; for checks and benchmarks).</summary>
    public bool Naive { get; init; }

    /// <summary>
    /// The score reported and thresholded. <see cref="ScoreKind.LengthControlled"/> needs the lm_head target and the closed
    /// form (not <see cref="Naive"/>), makes the probe also return a gradient sketch per row, bypasses the score cache
    /// (which does not store sketches), and is finished by <see cref="LengthControlledScore.Apply"/> once every row is
    /// scored (the dataset scanner does that).
    /// </summary>
    /// <value>Default <see cref="ScoreKind.Reference"/>.</value>
    public ScoreKind Score { get; init; } = ScoreKind.Reference;

    /// <summary>Neighbours averaged by the length-controlled score.</summary>
    /// <value>Default 5.</value>
    public int Neighbours { get; init; } = LengthControlledScore.DefaultNeighbours;

    /// <summary>Options of the ONION detector (<see cref="ScoreKind.Onion"/>).</summary>
    public Detection.OnionOptions Onion { get; init; } = new();

    /// <summary>Checks ranges.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        Probe.Validate();
        if (BatchSize < 1) throw new ArgumentException($"batch size must be at least 1 (got {BatchSize}).");
        if (MaxTokensPerBatch < 2) throw new ArgumentException($"max tokens per batch must be at least 2 (got {MaxTokensPerBatch}).");
        if (Window < 1) throw new ArgumentException($"window must be at least 1 (got {Window}).");
        if (!Enum.IsDefined(Score)) throw new ArgumentException($"unknown score kind {Score}.");
        Onion.Validate();
        if (Neighbours < 1) throw new ArgumentException($"neighbours must be at least 1 (got {Neighbours}).");
        if (ScoreKinds.Capabilities(Score).NeedsSketch && Naive)
            throw new ArgumentException($"the {ScoreKinds.Name(Score)} score is computed by the lm_head closed form; it cannot be combined with the naive loop.");
    }
}
