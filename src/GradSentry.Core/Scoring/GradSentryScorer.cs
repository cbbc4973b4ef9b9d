using GradSentry.Caching;
using GradSentry.Models;

namespace GradSentry.Scoring;

/// <summary>
/// Scores a stream of rows: encode, look up the cache, bucket by length inside a bounded window,
/// probe a batch per forward pass, compute the reference score, emit results in input order. With
/// <see cref="ScoreKind.LengthControlled"/> each result also carries its gradient sketch (and <see cref="SampleScore.Score"/>
/// still holds the reference score): pass all of them to <see cref="LengthControlledScore.Apply"/>.
/// Memory is bounded by <see cref="ScoringOptions.Window"/>, whatever the dataset size.
/// </summary>
public sealed class GradSentryScorer : IRowScorer
{
    readonly SampleEncoder _encoder;
    readonly ScoringOptions _options;
    readonly IGradientProbe _probe;
    readonly ScoreCache? _cache;
    readonly bool _needsSketch;

    /// <summary>Builds the probe the options call for (closed form for the output projection, batched backward for other weights, or the naive loop).</summary>
    public GradSentryScorer(ICausalLm model, SampleEncoder encoder, ScoringOptions options, ScoreCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _encoder = encoder;
        _options = options;
        _needsSketch = ScoreKinds.Capabilities(options.Score).NeedsSketch;
        _cache = cache;
        _probe = GradientProbes.Create(model, options.Probe, options.Naive, sketch: _needsSketch);
    }

    /// <summary>The probe in use (its <see cref="IGradientProbe.Name"/> goes into reports).</summary>
    public IGradientProbe Probe => _probe;

    /// <inheritdoc />
    public string Method => _probe.Name;

    /// <summary>Rows probed (not from the cache) so far.</summary>
    public long ProbedRows { get; private set; }

    /// <summary>Rows answered from the cache so far.</summary>
    public long CachedRows { get; private set; }

    /// <summary>
    /// Scores every input, lazily, in input order. Inputs are taken in windows of <see cref="ScoringOptions.Window"/>
    /// rows; a batch is scored from the cache only when all its rows are cached, so scores do not depend on what the
    /// cache held. Cancellation is checked between batches; what was probed before it is already in the cache.
    /// </summary>
    public IEnumerable<SampleScore> Score(IEnumerable<ScoringInput> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var window in ScoringWindows.Of(inputs, _options.Window))
            foreach (var score in ScoreWindow(window, cancellationToken)) yield return score;
    }

    SampleScore[] ScoreWindow(List<ScoringInput> window, CancellationToken cancellationToken)
    {
        var results = new SampleScore[window.Count];
        var encodedRows = ScoringWindows.Encode(window, _encoder, results, ScoreKind.Reference);

        // Length bucketing: similar lengths share a batch, so little compute goes to padding. Batches are formed
        // before the cache is consulted, so a batch's members (and therefore every score's last bit) depend only on
        // the window's rows: a resumed or sharded scan computes exactly what an uninterrupted one does.
        encodedRows.Sort((a, b) => a.Sample.Length != b.Sample.Length ? a.Sample.Length.CompareTo(b.Sample.Length) : a.Slot.CompareTo(b.Slot));
        var start = 0;
        while (start < encodedRows.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var end = start + 1;
            while (end < encodedRows.Count && end - start < _options.BatchSize
                   && (long)encodedRows[end].Sample.Length * (end - start + 1) <= _options.MaxTokensPerBatch)
                end++;
            var batch = encodedRows.GetRange(start, end - start);
            start = end;

            // A record without a sketch (written by a reference scan) cannot serve a score built on sketches: a miss.
            var cached = batch.Select(p => _cache?.TryGet(p.Sample) is { } c && (c.Sketch is not null || !_needsSketch) ? c : null).ToList();
            if (cached.All(c => c is not null))
            {
                for (var j = 0; j < batch.Count; j++) results[batch[j].Slot] = ToScore(batch[j].Sample, cached[j]!, fromCache: true);
                CachedRows += batch.Count;
                continue;
            }
            var spectra = _probe.Probe(batch.Select(p => p.Sample).ToList());
            for (var j = 0; j < batch.Count; j++)
            {
                var (slot, sample) = batch[j];
                results[slot] = ToScore(sample, spectra[j], fromCache: false);
                // A cached result from another batch composition differs in its last bits: replace it (last record wins).
                if (results[slot].IsScored && (cached[j] is not { } old || !SameBits(old, spectra[j]))) _cache?.Add(sample, spectra[j]);
            }
            ProbedRows += batch.Count;
        }
        return results;
    }

    static bool SameBits(GradientSpectrum a, GradientSpectrum b) =>
        a.AnswerTokens == b.AnswerTokens && a.Loss.Equals(b.Loss) && a.GradientNorm.Equals(b.GradientNorm) && a.SingularValues.SequenceEqual(b.SingularValues)
        && (b.Sketch is null || (a.Sketch is not null && a.Sketch.SequenceEqual(b.Sketch)));

    SampleScore ToScore(EncodedSample sample, GradientSpectrum spectrum, bool fromCache)
    {
        if (!double.IsFinite(spectrum.Loss) || !double.IsFinite(spectrum.GradientNorm) || spectrum.SingularValues.Any(s => !double.IsFinite(s)))
            return SampleScore.Failed(sample.Id, "the gradient is not finite (NaN or infinity in the loss or gradient); check the model's weights and dtype.", sample.AnswerTokens);
        if (spectrum.GradientNorm == 0)
            return SampleScore.Failed(sample.Id,
                "the gradient of the target parameter is exactly zero, so its spectrum carries no signal (a LoRA A matrix with B = 0 is one cause: target lora_B or a base weight).",
                sample.AnswerTokens);
        var score = SpectralEntropy.Score(spectrum.SingularValues);
        return new SampleScore(sample.Id, score, spectrum.AnswerTokens, spectrum.Loss, spectrum.GradientNorm,
            spectrum.SingularValues, sample.PromptTokensDropped, fromCache, null) { ReferenceScore = score, Sketch = _needsSketch ? spectrum.Sketch : null };
    }

    /// <inheritdoc />
    public void Dispose() => _probe.Dispose();
}
