namespace GradSentry.Detection;

/// <summary>What <see cref="TriggerAssociation.Run"/> decided.</summary>
/// <param name="Scores">Per input row, in [0, 1]: above 0.5 exactly when flagged; NaN for rows that were not scored.</param>
/// <param name="Flags">Per input row: in a backdoor group.</param>
/// <param name="Groups">The backdoor groups, largest first; empty when nothing is poisoned.</param>
/// <param name="RowGroups">Per input row: the <see cref="BackdoorGroup.Number"/> of its group, 0 when it is in none.</param>
/// <param name="WordsTested">Prompt words tested as triggers (the Bonferroni count).</param>
/// <param name="Outcome">What the test concluded, in words, for reports.</param>
public sealed record AssociationVerdict(double[] Scores, bool[] Flags, IReadOnlyList<BackdoorGroup> Groups, int[] RowGroups, int WordsTested, string Outcome);

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
}
