namespace GradSentry.Scoring;

/// <summary>
/// Scores a stream of rows in windows, lazily, in input order: the gradient detectors (<see cref="GradSentryScorer"/>) and
/// ONION (<see cref="OnionScorer"/>). A row's score depends only on the rows of its window of
/// <see cref="ScoringOptions.Window"/>, so shards of whole windows score every row as an unsharded scan does.
/// </summary>
public interface IRowScorer : IDisposable
{
    /// <summary>The method's name for reports (the gradient probe, or ONION's perplexity).</summary>
    string Method { get; }

    /// <summary>Rows answered from the score cache so far.</summary>
    long CachedRows { get; }

    /// <summary>Scores every input, lazily, in input order; cancellation is checked between batches.</summary>
    IEnumerable<SampleScore> Score(IEnumerable<ScoringInput> inputs, CancellationToken cancellationToken = default);
}
