namespace GradSentry.Scoring;

/// <summary>Which score a scan reports in <see cref="SampleScore.Score"/> and thresholds.</summary>
public enum ScoreKind
{
    /// <summary>
    /// The reference GradSentry score: normalised spectral entropy of the per-sample lm_head gradient (DESIGN.md §2).
    /// Capped by the answer length through the rank bound.
    /// </summary>
    Reference = 0,

    /// <summary>
    /// The length-controlled score (<see cref="LengthControlledScore"/>): how alike a sample's whole lm_head gradient is to
    /// its nearest neighbours in the same dataset. Not a function of the answer length; needs the lm_head target and the
    /// whole dataset (computed after every row is probed).
    /// </summary>
    LengthControlled = 1,
}

/// <summary>Names of <see cref="ScoreKind"/> as users type them (<c>--score reference | length-controlled</c>).</summary>
public static class ScoreKinds
{
    /// <summary>The spelling of <see cref="ScoreKind.Reference"/>.</summary>
    public const string ReferenceName = "reference";

    /// <summary>The spelling of <see cref="ScoreKind.LengthControlled"/>.</summary>
    public const string LengthControlledName = "length-controlled";

    /// <summary>The name of <paramref name="kind"/>.</summary>
    public static string Name(ScoreKind kind) => kind switch
    {
        ScoreKind.Reference => ReferenceName,
        ScoreKind.LengthControlled => LengthControlledName,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses a name (case-insensitive).</summary>
    /// <exception cref="FormatException">Not one of the names.</exception>
    public static ScoreKind Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            ReferenceName => ScoreKind.Reference,
            LengthControlledName => ScoreKind.LengthControlled,
            _ => throw new FormatException($"'{text}' is not a score; use '{ReferenceName}' or '{LengthControlledName}'."),
        };
    }
}
