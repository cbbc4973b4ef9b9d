using GradSentry.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Scoring;

/// <summary>
/// The fast path for the output projection. The per-sample gradient of the mean answer loss is
/// <c>G = (1/T) Σ_t (softmax(z_t) − onehot(y_t)) ⊗ h_t</c>, so one forward pass (no backward, no V×d
/// matrix) gives every sample's exact singular values through <see cref="ProductSpectrum"/>. The
/// last layer and the output projection run only at the positions that predict a supervised token, and the
/// tokens every sample of the batch starts with run once (<see cref="TokenBatch.SharedPrefix"/>).
/// </summary>
/// <remarks>
/// With tied embeddings the target is the output use of the embedding matrix; the input-embedding
/// use (rows of the prompt's tokens) is a different signal and is not part of this gradient.
/// </remarks>
public sealed class LmHeadClosedFormProbe : IGradientProbe
{
    readonly ICausalLm _model;
    readonly ProbeOptions _options;
    readonly GradientBlock _block;
    readonly Device _device;
    readonly Tensor? _sketchVocabulary;
    readonly Tensor? _sketchHidden;

    /// <summary>Prepares the probe; fails early when k does not fit the block.</summary>
    public LmHeadClosedFormProbe(ICausalLm model, ProbeOptions options) : this(model, options, sketch: false)
    {
    }

    /// <summary>Prepares the probe; with <paramref name="sketch"/>, every spectrum also carries a <see cref="GradientSketch"/>.</summary>
    public LmHeadClosedFormProbe(ICausalLm model, ProbeOptions options, bool sketch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        _options = options;
        var w = model.OutputWeight;
        _block = GradientBlock.For(TargetParameter, w.shape[0], w.shape[1], options);
        _device = w.device;
        if (sketch) (_sketchVocabulary, _sketchHidden) = GradientSketch.Projections(w.shape[0], w.shape[1], _device);
    }

    /// <inheritdoc />
    public string Name => "lm_head-closed-form";

    /// <inheritdoc />
    public string TargetParameter => ProbeOptions.LmHead;

    /// <inheritdoc />
    public IReadOnlyList<GradientSpectrum> Probe(IReadOnlyList<EncodedSample> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var tokens = TokenBatch.Create(batch, _device);
        // The last layer runs only where a supervised token is predicted (the closed form needs nothing else), and a
        // prefix common to the whole batch (a template's preamble) runs once: no backward pass ever goes through it.
        var hidden = _model.ForwardHiddenAt(tokens.InputIds, tokens.PredictorGrid, tokens.SharedPrefix);
        var picked = hidden.reshape(-1, hidden.shape[2]).index_select(0, tokens.PaddedSlot); // [N, d], sample by sample

        var groups = OutputGroup.Split(batch, _options.MaxOutputElements, _model.OutputWeight.shape[0]);
        if (groups.Count == 1) return ProbeRows(batch, tokens, picked);
        // Long answers × a large vocabulary: the [rows, V] logits of a whole batch could take gigabytes, so the
        // samples go through the output layer a group at a time (every row-wise step gives the same values).
        var result = new List<GradientSpectrum>(batch.Count);
        foreach (var group in groups)
        {
            using var groupScope = NewDisposeScope();
            using var part = TokenBatch.Create(group.Samples, _device);
            result.AddRange(ProbeRows(group.Samples, part, picked.narrow(0, group.FirstRow, group.Rows)));
        }
        return result;
    }

    /// <summary>The spectra of <paramref name="samples"/> from their final hidden states <paramref name="picked"/> [Σ T, d] at the predicting positions.</summary>
    GradientSpectrum[] ProbeRows(IReadOnlyList<EncodedSample> samples, TokenBatch tokens, Tensor picked)
    {
        var h = picked.to(float32);
        // Logits through the model's own output layer (a LoRA pair on lm_head included); the gradient
        // w.r.t. the weight is still (softmax − onehot) ⊗ h.
        var logProbs = _model.Logits(picked).to(float32).log_softmax(1);
        var targets = tokens.Targets.unsqueeze(1);
        var tokenLoss = -logProbs.gather(1, targets).squeeze(1);
        // softmax − onehot, in place over the log-probabilities we no longer need.
        var errors = logProbs.exp_().scatter_add_(1, targets, full(targets.shape, -1f, float32, targets.device));

        var values = ProductSpectrum.TopSingularValues(
            tokens.ToPadded(errors[.., ..(int)_block.Rows]),
            tokens.ToPadded(h[.., ..(int)_block.Columns]),
            _options.Rank);
        var norms = ProductSpectrum.FrobeniusNorms(errors, h, samples.Select(s => s.AnswerTokens).ToList());
        var losses = tokens.MeanPerSample(tokenLoss);
        var sketches = _sketchVocabulary is null ? null
            : GradientSketch.Compute(errors, h, _sketchVocabulary, _sketchHidden!, tokens);

        var result = new GradientSpectrum[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            var t = samples[i].AnswerTokens;
            for (var j = 0; j < values[i].Length; j++) values[i][j] /= t;
            result[i] = new GradientSpectrum(values[i], t, losses[i], norms[i] / t) { Sketch = sketches?[i] };
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _sketchVocabulary?.Dispose();
        _sketchHidden?.Dispose();
    }
}
