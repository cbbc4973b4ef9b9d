using GradSentry.Detection;
using GradSentry.Models;

namespace GradSentry.Scoring;

/// <summary>
/// Scores rows with ONION (<see cref="Onion"/>) under the model being scanned: each window of
/// <see cref="ScoringOptions.Window"/> rows is encoded (a row the gradient detectors could not encode fails here too), its
/// prompts' template words are counted, and every perplexity of the window (prompts and their deletions) is computed in
/// length-bucketed batches. <see cref="SampleScore.Score"/> is the ONION score, <see cref="SampleScore.TriggerCandidates"/>
/// the most suspicious words; a row ONION cannot examine scores 0 and says why in <see cref="SampleScore.NotExamined"/>.
/// </summary>
public sealed class OnionScorer : IRowScorer
{
    /// <summary>The method name in reports.</summary>
    public const string MethodName = "onion-prompt-perplexity";

    readonly SampleEncoder _encoder;
    readonly ScoringOptions _options;
    readonly Onion _onion;

    /// <summary>Creates the scorer.</summary>
    /// <param name="model">The language model (the model being scanned).</param>
    /// <param name="encoder">The sample encoder (row checks, answer tokens, prompt cut).</param>
    /// <param name="encodeText">Tokenizes text without special tokens.</param>
    /// <param name="options">Window, token bound and <see cref="ScoringOptions.Onion"/>.</param>
    public OnionScorer(ICausalLm model, SampleEncoder encoder, Func<string, IReadOnlyList<int>> encodeText, ScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _encoder = encoder;
        _options = options;
        Perplexity = new PromptPerplexity(model, encodeText, encoder.BosTokenId, encoder.MaxLength, options.Onion.SequencesPerBatch, options.MaxTokensPerBatch);
        _onion = new Onion(Perplexity.Compute, options.Onion);
    }

    /// <summary>The perplexity measure (its forward-pass count is a cost figure).</summary>
    public PromptPerplexity Perplexity { get; }

    /// <inheritdoc />
    public string Method => MethodName;

    /// <inheritdoc />
    public long CachedRows => 0;

    /// <inheritdoc />
    public IEnumerable<SampleScore> Score(IEnumerable<ScoringInput> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var window in ScoringWindows.Of(inputs, _options.Window))
            foreach (var score in ScoreWindow(window, cancellationToken)) yield return score;
    }

    SampleScore[] ScoreWindow(List<ScoringInput> window, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var results = new SampleScore[window.Count];
        var encoded = ScoringWindows.Encode(window, _encoder, results, ScoreKind.Onion);
        var rows = _onion.Score(encoded.Select(e => window[e.Slot].Prompt).ToList());
        for (var j = 0; j < encoded.Count; j++)
        {
            var (slot, sample) = encoded[j];
            var row = rows[j];
            results[slot] = new SampleScore(sample.Id, row.Score, sample.AnswerTokens, double.NaN, double.NaN, [], sample.PromptTokensDropped, false, null)
            {
                Kind = ScoreKind.Onion,
                TriggerCandidates = row.TopWords(_options.Onion.TopWords),
                NotExamined = row.NotExamined,
                PromptPerplexity = row.Perplexity,
            };
        }
        return results;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
