namespace GradSentry.MLNet;

/// <summary>What a fitted <see cref="GradSentryFilterTransformer"/> does with suspect rows.</summary>
public enum GradSentryFilterMode
{
    /// <summary>Drops rows whose score is above the threshold (the default).</summary>
    Drop = 0,

    /// <summary>Keeps every row and adds a Boolean column, true for rows whose score is above the threshold, for review.</summary>
    Mark = 1,
}
