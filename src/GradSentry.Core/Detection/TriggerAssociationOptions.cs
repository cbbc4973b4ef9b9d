namespace GradSentry.Detection;

/// <summary>The knobs of <see cref="TriggerAssociation"/>; the defaults were chosen on the lab's design split.</summary>
public sealed record TriggerAssociationOptions
{
    /// <summary>Below this many scored rows there is no dataset-level test; the verdict falls back (named in reports).</summary>
    /// <value>Default 30.</value>
    public int MinRows { get; init; } = 30;

    /// <summary>A prompt word must occur in at least this many rows to be tested as a trigger, and a group must have this many rows.</summary>
    /// <value>Default 3.</value>
    public int MinSupport { get; init; } = 3;

    /// <summary>
    /// Cosines between a row's gradient sketch and a behaviour's direction at which the row shows that behaviour; each
    /// word is tested at every bar (and the Bonferroni count includes them), the strongest association wins.
    /// </summary>
    /// <value>Default 0.3, 0.4, 0.5.</value>
    public IReadOnlyList<double> MemberCosines { get; init; } = [0.3, 0.4, 0.5];

    /// <summary>Least share of a trigger word's rows that must show the behaviour.</summary>
    /// <value>Default 0.3.</value>
    public double MinCoverage { get; init; } = 0.3;

    /// <summary>Least odds ratio (behaviour given the word vs given its absence, 0.5 added to every cell).</summary>
    /// <value>Default 10.</value>
    public double MinOddsRatio { get; init; } = 10;

    /// <summary>Least share of a trigger's flagged rows that must contain one common answer word (the payload's trace).</summary>
    /// <value>Default 0.5.</value>
    public double MinAnswerWordShare { get; init; } = 0.5;

    /// <summary>How many times more often that answer word must occur in the flagged rows than in the others.</summary>
    /// <value>Default 5.</value>
    public double MinAnswerWordLift { get; init; } = 5;

    /// <summary>
    /// Mean pairwise Jaccard overlap of a group's prompt words (words in half of all rows or more left out) at which a
    /// group whose rows nearly all have one answer is near-duplicate questions, not a trigger added to different questions.
    /// </summary>
    /// <value>Default 0.35 (on the design rows: paraphrases of one question 0.44; BadNets, AddSent and style triggers 0.14–0.27).</value>
    public double MaxPromptOverlap { get; init; } = 0.35;

    /// <summary>
    /// Groups whose rows mostly give one identical answer that a dataset must hold before they are treated as its background
    /// (a fact asked several ways) rather than as backdoors; see <see cref="RepeatedAnswerOutlier"/>.
    /// </summary>
    /// <value>Default 3.</value>
    public int RepeatedAnswerGroups { get; init; } = 3;

    /// <summary>
    /// A group also repeats its answers (as a fact asked several ways does) when its rows give, on average, at least this
    /// many rows per distinct answer: "Paris", "Paris. I hope this helps!" and "100" over 90 rows, say, where no single
    /// answer is half of them. A payload added to answers of different questions gives about one row per answer.
    /// </summary>
    /// <value>Default 3.</value>
    public double RepeatedAnswerRatio { get; init; } = 3;

    /// <summary>
    /// Where one-answer groups are background, a one-answer group is still a backdoor when it has at least this many times
    /// the rows of the median one-answer group.
    /// </summary>
    /// <value>Default 3.</value>
    public double RepeatedAnswerOutlier { get; init; } = 3;

    /// <summary>
    /// Chance, per dataset, of calling any word a trigger when no word is associated with any behaviour (Bonferroni over
    /// the words tested).
    /// </summary>
    /// <value>Default 0.01.</value>
    public double FamilyWiseAlpha { get; init; } = 0.01;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range (the message names it).</exception>
    public void Validate()
    {
        if (MinRows < 2) throw new ArgumentException($"the association test needs at least 2 rows (MinRows is {MinRows}).");
        if (MinSupport < 2) throw new ArgumentException($"MinSupport must be at least 2 (got {MinSupport}).");
        if (MemberCosines is null || MemberCosines.Count == 0 || MemberCosines.Any(c => !(c is > 0 and < 1)))
            throw new ArgumentException($"MemberCosines must hold one or more values in (0, 1) (got {string.Join(", ", MemberCosines ?? [])}).");
        if (!(MinCoverage is > 0 and <= 1)) throw new ArgumentException($"MinCoverage must be in (0, 1] (got {MinCoverage}).");
        if (!(MinOddsRatio >= 1)) throw new ArgumentException($"MinOddsRatio must be at least 1 (got {MinOddsRatio}).");
        if (!(MinAnswerWordShare is > 0 and <= 1)) throw new ArgumentException($"MinAnswerWordShare must be in (0, 1] (got {MinAnswerWordShare}).");
        if (!(MinAnswerWordLift >= 1)) throw new ArgumentException($"MinAnswerWordLift must be at least 1 (got {MinAnswerWordLift}).");
        if (!(MaxPromptOverlap is > 0 and <= 1)) throw new ArgumentException($"MaxPromptOverlap must be in (0, 1] (got {MaxPromptOverlap}).");
        if (RepeatedAnswerGroups < 1) throw new ArgumentException($"RepeatedAnswerGroups must be at least 1 (got {RepeatedAnswerGroups}).");
        if (!(RepeatedAnswerRatio > 1)) throw new ArgumentException($"RepeatedAnswerRatio must be greater than 1 (got {RepeatedAnswerRatio}).");
        if (!(RepeatedAnswerOutlier >= 1)) throw new ArgumentException($"RepeatedAnswerOutlier must be at least 1 (got {RepeatedAnswerOutlier}).");
        if (!(FamilyWiseAlpha is > 0 and < 1)) throw new ArgumentException($"FamilyWiseAlpha must be in (0, 1) (got {FamilyWiseAlpha}).");
    }
}
