namespace GradSentry.Detection;

/// <summary>The knobs of the ONION detector (<see cref="Onion"/>); the defaults were chosen on the lab's design split.</summary>
public sealed record OnionOptions
{
    /// <summary>
    /// Most words deleted per row (each deletion is one more perplexity to compute). Words other rows of the window share go
    /// first, the rarest first (only they can score); words of the row alone come last.
    /// </summary>
    /// <value>Default 32.</value>
    public int MaxDeletions { get; init; } = 32;

    /// <summary>
    /// A word in at least this share of the scoring window's rows (and in at least two rows) is template text every row
    /// shares and is never deleted: it costs a deletion per row and cannot be a rare trigger.
    /// </summary>
    /// <value>
    /// Default 0.9. On the design split a bar of 0.5 also hid the trigger words of attacks at a 50% poison rate (CBA 50%:
    /// AUROC 0.48, no trigger among the top three words); 0.9 still skips the prompt template, which every row shares.
    /// </value>
    public double TemplateFraction { get; init; } = 0.9;

    /// <summary>Suspicious words kept per row as trigger candidates (highest suspicion first).</summary>
    /// <value>Default 3.</value>
    public int TopWords { get; init; } = 3;

    /// <summary>Most texts (a prompt or one of its deletions) per forward pass; the scoring options' token bound applies too.</summary>
    /// <value>Default 64.</value>
    public int SequencesPerBatch { get; init; } = 64;

    /// <summary>Checks ranges.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (MaxDeletions < 1) throw new ArgumentException($"ONION max deletions must be at least 1 (got {MaxDeletions}).");
        if (!(TemplateFraction is > 0 and <= 1)) throw new ArgumentException($"ONION template fraction must be in (0, 1] (got {TemplateFraction}).");
        if (TopWords < 1) throw new ArgumentException($"ONION top words must be at least 1 (got {TopWords}).");
        if (SequencesPerBatch < 1) throw new ArgumentException($"ONION sequences per batch must be at least 1 (got {SequencesPerBatch}).");
    }
}
