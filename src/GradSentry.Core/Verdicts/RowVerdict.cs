using System.Globalization;
using GradSentry.Scoring;
using GradSentry.Thresholds;

namespace GradSentry.Verdicts;

/// <summary>The decision for one row.</summary>
/// <param name="Id">The row's identifier.</param>
/// <param name="Flagged">True when the score is strictly above the threshold.</param>
/// <param name="Failed">True when the row could not be scored (see <see cref="Reason"/>).</param>
/// <param name="Reason">Why: the comparison with the threshold, the answer length's rank ceiling, or the error.</param>
public sealed record RowVerdict(long Id, bool Flagged, bool Failed, string Reason)
{
    /// <summary>Judges one score against a fitted threshold; <paramref name="rank"/> is k, for the rank ceiling in the reason.</summary>
    public static RowVerdict Judge(SampleScore score, ThresholdResult threshold, int rank)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(threshold);
        if (!score.IsScored) return new RowVerdict(score.Id, false, true, score.Error!);
        var flagged = threshold.IsFlagged(score.Score);
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"{ScoreKinds.Name(score.Kind)} score {score.Score:0.0000} {(flagged ? ">" : "<=")} threshold {threshold.Value:0.0000} ({threshold.Method}); ");
        if (score.Kind == ScoreKind.Onion)
            return new RowVerdict(score.Id, flagged, false, reason + (score.NotExamined ?? "trigger candidates " + Detection.OnionText.Candidates(score.TriggerCandidates))
                + (score.PromptTokensDropped > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {score.PromptTokensDropped} prompt tokens were cut to fit the maximum length") : ""));
        reason += ScoreKinds.Capabilities(score.Kind).RankCeiling
            ? string.Create(CultureInfo.InvariantCulture, $"{score.AnswerTokens} answer tokens cap the score at {SpectralEntropy.RankCeiling(score.AnswerTokens, rank):0.000}")
            : string.Create(CultureInfo.InvariantCulture, $"{score.AnswerTokens} answer tokens; reference score {score.ReferenceScore:0.0000}");
        if (score.PromptTokensDropped > 0)
            reason += string.Create(CultureInfo.InvariantCulture, $"; {score.PromptTokensDropped} prompt tokens were cut to fit the maximum length");
        return new RowVerdict(score.Id, flagged, false, reason);
    }
}
