namespace GradSentry.Thresholds;

/// <summary>
/// The method names a <see cref="ThresholdResult"/> reports. The KDE names are the reference
/// implementation's (<c>kde_threshold.py</c>) spelled exactly, so reports compare one to one.
/// </summary>
public static class ThresholdMethods
{
    /// <summary>The KDE valley was accepted: two clear modes, far enough apart, enough samples above the valley.</summary>
    public const string KdeValleyReliableBimodal = "kde_valley_reliable_bimodal";
    /// <summary>Fewer than 30 (finite) scores: the fallback threshold is used.</summary>
    public const string FallbackSmallN = "fallback_small_n";
    /// <summary>All scores are equal (population standard deviation 0).</summary>
    public const string FallbackZeroVariance = "fallback_zero_variance";
    /// <summary>The scores span less than 1e-6.</summary>
    public const string FallbackTooNarrowRange = "fallback_too_narrow_range";
    /// <summary>The density has fewer than two peaks with prominence at least 1% of its maximum.</summary>
    public const string FallbackUnimodal = "fallback_unimodal_or_no_clear_bimodality";
    /// <summary>No grid point lies strictly between the two chosen peaks (cannot happen with find_peaks maxima; kept for parity).</summary>
    public const string FallbackNoValidPeakInterval = "fallback_no_valid_peak_interval";
    /// <summary>The two chosen peaks are less than 0.15 apart.</summary>
    public const string FallbackPeakTooClose = "fallback_peak_too_close";
    /// <summary>Fewer than 5 samples, or fewer than 1% of them, lie at or above the valley.</summary>
    public const string FallbackTooFewSuspiciousSamples = "fallback_too_few_suspicious_samples";
    /// <summary>A user-given fixed threshold.</summary>
    public const string Fixed = "fixed";
    /// <summary>The threshold that flags the top fraction of rows.</summary>
    public const string TopFraction = "top_fraction";

    /// <summary>The trigger-conditional detector's own rule: rows of a backdoor group (score above 0.5) are flagged.</summary>
    public const string TriggerAssociation = "trigger_association";

    /// <summary>
    /// ONION's own rule: a row is flagged when deleting one recurring prompt word lowers its perplexity by more than the
    /// bar (<see cref="Detection.Onion.FlagAbove"/>, weighted drop).
    /// </summary>
    public const string OnionDropBar = "onion_drop_bar";

    /// <summary>Too few rows for the trigger-conditional test: the reference score and rule decided.</summary>
    public const string FallbackTriggerAssociationSmallN = "fallback_trigger_association_small_n";

    /// <summary>True for the names of the KDE rule's fallback paths.</summary>
    public static bool IsFallback(string method) => method is not null && method.StartsWith("fallback_", StringComparison.Ordinal);
}
