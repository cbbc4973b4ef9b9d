namespace GradSentry.Scoring;

/// <summary>
/// Splits a batch into runs of consecutive samples whose <c>[answer tokens, vocabulary]</c> output-layer tensors stay
/// within <see cref="ProbeOptions.MaxOutputElements"/>. Every step after the output layer is row-wise or per sample,
/// so taking the groups one at a time gives the same values as the whole batch at once, in bounded memory.
/// </summary>
public static class OutputGroups
{
    /// <summary>
    /// The groups of <paramref name="samples"/>, in order: each adds up to at most
    /// <paramref name="maxElements"/> / <paramref name="vocabulary"/> answer tokens, except a sample longer than that,
    /// which goes alone.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<EncodedSample>> Split(IReadOnlyList<EncodedSample> samples, long maxElements, long vocabulary)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxElements, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 1);
        var rowBudget = maxElements / vocabulary;
        var groups = new List<List<EncodedSample>> { new() };
        long rows = 0;
        foreach (var sample in samples)
        {
            if (groups[^1].Count > 0 && rows + sample.AnswerTokens > rowBudget)
            {
                groups.Add([]);
                rows = 0;
            }
            groups[^1].Add(sample);
            rows += sample.AnswerTokens;
        }
        return groups;
    }
}
