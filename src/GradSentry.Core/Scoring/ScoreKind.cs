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

    /// <summary>
    /// The trigger-conditional verdict (<see cref="Detection.TriggerAssociation"/>): a row is flagged when a prompt word
    /// predicts an answer-side behaviour (a shared gradient direction) that is rare without it. The score is in [0, 1],
    /// above 0.5 exactly for rows of a backdoor group; needs the lm_head target and the whole dataset.
    /// </summary>
    TriggerConditional = 2,

    /// <summary>
    /// ONION (<see cref="Detection.Onion"/>): how much the prompt's perplexity under the scanned model falls when one word is
    /// deleted; rare trigger words stand out. The score is in [0, 1]; the most suspicious words are the row's trigger
    /// candidates. Needs no gradient and no answer; blind to triggers without a rare word (sentences, styles).
    /// </summary>
    Onion = 3,
}

/// <summary>
/// What a score needs and how it is shown: one description per <see cref="ScoreKind"/> drives validation, help and
/// report labels.
/// </summary>
/// <param name="Name">The spelling users type.</param>
/// <param name="Summary">One sentence for help texts.</param>
/// <param name="AxisLabel">The label of the score axis in plots and tables.</param>
/// <param name="NeedsSketch">Needs every row's lm_head gradient sketch (so the lm_head closed form, not the naive loop).</param>
/// <param name="WholeDataset">The score of a row depends on the other rows: computed after every row is probed.</param>
/// <param name="Cacheable">Per-row results can come from the score cache.</param>
/// <param name="Shardable">Can be scored per shard and merged.</param>
/// <param name="RankCeiling">The score is capped by the answer length (plots draw the ceiling).</param>
/// <param name="OwnThreshold">
/// With <c>--threshold auto</c> the score decides by its own rule, not by the KDE valley (trigger-conditional: flagged above
/// 0.5; ONION: above <see cref="Detection.Onion.FlagAbove"/>).
/// </param>
public sealed record ScoreCapabilities(string Name, string Summary, string AxisLabel, bool NeedsSketch, bool WholeDataset, bool Cacheable, bool Shardable,
    bool RankCeiling, bool OwnThreshold);

/// <summary>Names of <see cref="ScoreKind"/> as users type them (<c>--score reference | length-controlled</c>).</summary>
public static class ScoreKinds
{
    /// <summary>The spelling of <see cref="ScoreKind.Reference"/>.</summary>
    public const string ReferenceName = "reference";

    /// <summary>The spelling of <see cref="ScoreKind.LengthControlled"/>.</summary>
    public const string LengthControlledName = "length-controlled";

    /// <summary>The spelling of <see cref="ScoreKind.TriggerConditional"/>.</summary>
    public const string TriggerConditionalName = "trigger-conditional";

    /// <summary>The spelling of <see cref="ScoreKind.Onion"/>.</summary>
    public const string OnionName = "onion";

    /// <summary>The score a scan uses when none is named.</summary>
    public const ScoreKind Default = ScoreKind.TriggerConditional;

    /// <summary>Every kind, the default first.</summary>
    public static IReadOnlyList<ScoreKind> All { get; } = [ScoreKind.TriggerConditional, ScoreKind.Reference, ScoreKind.LengthControlled, ScoreKind.Onion];

    /// <summary>What <paramref name="kind"/> needs and how it is shown.</summary>
    public static ScoreCapabilities Capabilities(ScoreKind kind) => kind switch
    {
        ScoreKind.Reference => new(ReferenceName,
            "the paper's normalised spectral entropy of the per-sample gradient (capped by the answer length), thresholded by the KDE valley",
            "GradientSpectralEntropy", NeedsSketch: false, WholeDataset: false, Cacheable: true, Shardable: true, RankCeiling: true, OwnThreshold: false),
        ScoreKind.LengthControlled => new(LengthControlledName,
            "similarity of a row's lm_head gradient to its nearest neighbours in the dataset (flags repeated boilerplate too)",
            "neighbour gradient similarity", NeedsSketch: true, WholeDataset: true, Cacheable: true, Shardable: false, RankCeiling: false, OwnThreshold: false),
        ScoreKind.TriggerConditional => new(TriggerConditionalName,
            "flags rows whose prompt words predict a shared answer-side behaviour (a backdoor's trigger -> payload association); repeated boilerplate without a trigger passes",
            "trigger association", NeedsSketch: true, WholeDataset: true, Cacheable: true, Shardable: true, RankCeiling: false, OwnThreshold: true),
        ScoreKind.Onion => new(OnionName,
            "ONION: how much deleting one prompt word lowers the prompt's perplexity under the model, for words that recur in the window (rare trigger words such as 'cf'; the top words are reported as trigger candidates; weak on sentence and style triggers)",
            "ONION perplexity drop", NeedsSketch: false, WholeDataset: false, Cacheable: false, Shardable: true, RankCeiling: false, OwnThreshold: true),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The name of <paramref name="kind"/>.</summary>
    public static string Name(ScoreKind kind) => Capabilities(kind).Name;

    /// <summary>Parses a score name without throwing.</summary>
    public static bool TryParse(string text, out ScoreKind kind, out string? error)
    {
        try
        {
            kind = Parse(text);
            error = null;
            return true;
        }
        catch (FormatException ex)
        {
            kind = default;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Parses a name (case-insensitive).</summary>
    /// <exception cref="FormatException">Not one of the names.</exception>
    public static ScoreKind Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var name = text.Trim().ToLowerInvariant();
        foreach (var kind in All)
            if (Capabilities(kind).Name == name) return kind;
        throw new FormatException($"'{text}' is not a score; use {string.Join(", ", All.Select(k => $"'{Name(k)}'"))}.");
    }
}
