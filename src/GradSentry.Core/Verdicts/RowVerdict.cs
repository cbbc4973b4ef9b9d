using System.Globalization;
using GradSentry.Scoring;
using GradSentry.Thresholds;

namespace GradSentry.Verdicts;

/// <summary>The decision for one row.</summary>
/// <remarks>
/// A verdict made by <see cref="Judge"/> composes its <see cref="Reason"/> when asked, from the score and the threshold it
/// already references: a scan of N rows keeps N small verdicts, not N sentences (reports stream the reasons out).
/// </remarks>
public sealed record RowVerdict
{
    readonly string? _reason;
    readonly SampleScore? _score;
    readonly ThresholdResult? _threshold;
    readonly int _rank;

    /// <summary>A verdict with its reason spelled out.</summary>
    /// <param name="Id">The row's identifier.</param>
    /// <param name="Flagged">True when the score is strictly above the threshold.</param>
    /// <param name="Failed">True when the row could not be scored (see <see cref="Reason"/>).</param>
    /// <param name="Reason">Why: the comparison with the threshold, the answer length's rank ceiling, or the error.</param>
    public RowVerdict(long Id, bool Flagged, bool Failed, string Reason)
    {
        ArgumentNullException.ThrowIfNull(Reason);
        this.Id = Id;
        this.Flagged = Flagged;
        this.Failed = Failed;
        _reason = Reason;
    }

    RowVerdict(SampleScore score, ThresholdResult threshold, int rank, bool flagged)
    {
        Id = score.Id;
        Flagged = flagged;
        _score = score;
        _threshold = threshold;
        _rank = rank;
    }

    /// <summary>The row's identifier.</summary>
    public long Id { get; init; }

    /// <summary>True when the score is strictly above the threshold.</summary>
    public bool Flagged { get; init; }

    /// <summary>True when the row could not be scored (see <see cref="Reason"/>).</summary>
    public bool Failed { get; init; }

    /// <summary>Why: the comparison with the threshold, the answer length's rank ceiling, or the error.</summary>
    public string Reason
    {
        get => _reason ?? Compose(_score!, _threshold!, _rank, Flagged);
        init => _reason = value;
    }

    /// <summary>Equal when the id, both flags and the reason's text are (however the reason is held).</summary>
    public bool Equals(RowVerdict? other) =>
        other is not null && Id == other.Id && Flagged == other.Flagged && Failed == other.Failed && string.Equals(Reason, other.Reason, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Flagged, Failed, Reason);

    /// <summary>The verdict's parts.</summary>
    public void Deconstruct(out long id, out bool flagged, out bool failed, out string reason)
    {
        id = Id;
        flagged = Flagged;
        failed = Failed;
        reason = Reason;
    }

    /// <summary>Judges one score against a fitted threshold; <paramref name="rank"/> is k, for the rank ceiling in the reason.</summary>
    public static RowVerdict Judge(SampleScore score, ThresholdResult threshold, int rank)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(threshold);
        if (!score.IsScored) return new RowVerdict(score.Id, false, true, score.Error!);
        return new RowVerdict(score, threshold, rank, threshold.IsFlagged(score.Score));
    }

    static string Compose(SampleScore score, ThresholdResult threshold, int rank, bool flagged)
    {
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"{ScoreKinds.Name(score.Kind)} score {score.Score:0.0000} {(flagged ? ">" : "<=")} threshold {threshold.Value:0.0000} ({threshold.Method}); ");
        if (score.Kind == ScoreKind.Onion)
            return reason + (score.NotExamined ?? "trigger candidates " + Detection.OnionText.Candidates(score.TriggerCandidates))
                + (score.PromptTokensDropped > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {score.PromptTokensDropped} prompt tokens were cut to fit the maximum length") : "");
        reason += ScoreKinds.Capabilities(score.Kind).RankCeiling
            ? string.Create(CultureInfo.InvariantCulture, $"{score.AnswerTokens} answer tokens cap the score at {SpectralEntropy.RankCeiling(score.AnswerTokens, rank):0.000}")
            : string.Create(CultureInfo.InvariantCulture, $"{score.AnswerTokens} answer tokens; reference score {score.ReferenceScore:0.0000}");
        if (score.PromptTokensDropped > 0)
            reason += string.Create(CultureInfo.InvariantCulture, $"; {score.PromptTokensDropped} prompt tokens were cut to fit the maximum length");
        return reason;
    }
}
