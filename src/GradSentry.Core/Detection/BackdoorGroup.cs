namespace GradSentry.Detection;

/// <summary>How often a word occurs inside and outside a flagged group.</summary>
/// <param name="Word">The word (lower case).</param>
/// <param name="InGroup">Rows of the group that contain it.</param>
/// <param name="OutsideGroup">Rows outside the group that contain it.</param>
public sealed record WordEvidence(string Word, int InGroup, int OutsideGroup);

/// <summary>
/// One backdoor the association test found: rows that share an answer-side behaviour (their gradient sketches point the
/// same way) only when their prompt carries one of <see cref="Triggers"/>.
/// </summary>
/// <param name="Number">1-based number of the group, in order of size (largest first).</param>
/// <param name="Rows">Flagged rows of the group.</param>
/// <param name="Triggers">Prompt words associated with the behaviour, strongest first, with counts inside and outside the group.</param>
/// <param name="AnswerWords">Answer words the group shares, most typical first, with counts inside and outside the group.</param>
/// <param name="BehaviourRows">Rows of the whole dataset that show the behaviour, with or without a trigger.</param>
/// <param name="LogPValue">Natural log of the strongest trigger's one-sided Fisher p-value (before the Bonferroni correction).</param>
public sealed record BackdoorGroup(int Number, int Rows, IReadOnlyList<WordEvidence> Triggers, IReadOnlyList<WordEvidence> AnswerWords, int BehaviourRows, double LogPValue);
