namespace GradSentry.Detection;

/// <summary>What <see cref="TriggerAssociation.Run"/> decided.</summary>
/// <param name="Scores">Per input row, in [0, 1]: above 0.5 exactly when flagged; NaN for rows that were not scored.</param>
/// <param name="Flags">Per input row: in a backdoor group.</param>
/// <param name="Groups">The backdoor groups, largest first; empty when nothing is poisoned.</param>
/// <param name="RowGroups">Per input row: the <see cref="BackdoorGroup.Number"/> of its group, 0 when it is in none.</param>
/// <param name="WordsTested">Prompt words tested as triggers (the Bonferroni count).</param>
/// <param name="Outcome">What the test concluded, in words, for reports.</param>
/// <param name="SetAside">
/// Groups that passed the test but each repeat their answers, in a dataset with enough of them to show that it asks facts several
/// ways (not flagged; <see cref="BackdoorGroup.Number"/> is 0).
/// </param>
public sealed record AssociationVerdict(double[] Scores, bool[] Flags, IReadOnlyList<BackdoorGroup> Groups, int[] RowGroups, int WordsTested, string Outcome,
    IReadOnlyList<BackdoorGroup> SetAside);

/// <summary>How a flagged group is described to a reviewer.</summary>
public static class BackdoorGroupText
{
    /// <summary>One line: size, trigger candidates and shared answer words, each with counts inside/outside the group.</summary>
    public static string Describe(BackdoorGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var triggers = string.Join(", ", group.Triggers.Take(5).Select(t => $"'{t.Word}' ({t.InGroup} in, {t.OutsideGroup} out)"));
        var answers = group.AnswerWords.Count == 0 ? "no answer word shared by half of the group"
            : string.Join(", ", group.AnswerWords.Take(5).Select(t => $"'{t.Word}' ({t.InGroup} in, {t.OutsideGroup} out)"));
        return $"backdoor group {group.Number}: {group.Rows} rows; prompt words that trigger it: {triggers}; shared answer words: {answers}";
    }

    /// <summary>One line for a group set aside as one repeated answer: size, the prompt words and the answer they predict.</summary>
    public static string DescribeSetAside(BackdoorGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var words = string.Join(", ", group.Triggers.Take(3).Select(t => $"'{t.Word}' ({t.InGroup} in, {t.OutsideGroup} out)"));
        var answers = string.Join(", ", group.AnswerWords.Take(3).Select(t => $"'{t.Word}'"));
        return $"{group.Rows} rows: {words} → {(answers.Length == 0 ? "one answer" : answers)}";
    }
}
