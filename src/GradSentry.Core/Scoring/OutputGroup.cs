namespace GradSentry.Scoring;

/// <summary>
/// Consecutive samples of a batch taken through the output layer together: <see cref="Samples"/>, whose answer-token
/// rows are <see cref="FirstRow"/>..<see cref="FirstRow"/> + <see cref="Rows"/> − 1 of the batch's <c>[Σ T, ·]</c>
/// per-token tensors (sample by sample, token by token).
/// </summary>
public sealed record OutputGroup(IReadOnlyList<EncodedSample> Samples, long FirstRow, long Rows)
{
    /// <summary>
    /// Splits <paramref name="batch"/> into groups whose <c>[answer tokens, vocabulary]</c> output-layer tensors stay
    /// within <paramref name="maxElements"/> (<see cref="ProbeOptions.MaxOutputElements"/>): each adds up to at most
    /// <paramref name="maxElements"/> / <paramref name="vocabulary"/> answer tokens, except a longer sample, which goes
    /// alone. Every step after the output layer is row-wise or per sample, so taking the groups one at a time gives the
    /// same values as the whole batch at once, in bounded memory.
    /// </summary>
    public static IReadOnlyList<OutputGroup> Split(IReadOnlyList<EncodedSample> batch, long maxElements, long vocabulary)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxElements, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 1);
        var rowBudget = maxElements / vocabulary;
        var groups = new List<OutputGroup>();
        var current = new List<EncodedSample>();
        long firstRow = 0, rows = 0;
        foreach (var sample in batch)
        {
            if (current.Count > 0 && rows + sample.AnswerTokens > rowBudget)
            {
                groups.Add(new OutputGroup(current, firstRow, rows));
                (current, firstRow, rows) = ([], firstRow + rows, 0);
            }
            current.Add(sample);
            rows += sample.AnswerTokens;
        }
        if (current.Count > 0) groups.Add(new OutputGroup(current, firstRow, rows));
        return groups;
    }
}
