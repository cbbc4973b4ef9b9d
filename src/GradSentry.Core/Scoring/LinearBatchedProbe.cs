using GradSentry.Models;
using GradSentry.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Scoring;

/// <summary>
/// Per-sample gradients of any Linear weight (attention and MLP projections, LoRA A/B factors) for a
/// whole batch from ONE backward pass. The layer records its inputs x; one backward of the summed
/// per-sample losses gives the output gradients δ; since samples never interact inside the model,
/// sample b's gradient is exactly <c>Σ_t δ[b,t] ⊗ x[b,t]</c>, whose spectrum
/// <see cref="ProductSpectrum"/> takes without forming more than it must.
/// </summary>
public sealed class LinearBatchedProbe : IGradientProbe
{
    readonly ICausalLm _model;
    readonly ProbeOptions _options;
    readonly ProbeableLinear _layer;
    readonly GradientBlock _block;

    /// <summary>Resolves the layer that owns the target weight; fails with close names when there is none.</summary>
    public LinearBatchedProbe(ICausalLm model, ProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        _options = options;
        _layer = FindLayer(model, options.TargetParameter);
        _block = GradientBlock.For(options.TargetParameter, _layer.OutFeatures, _layer.InFeatures, options);
    }

    /// <inheritdoc />
    public string Name => "linear-batched-backward";

    /// <inheritdoc />
    public string TargetParameter => _options.TargetParameter;

    /// <inheritdoc />
    public IReadOnlyList<GradientSpectrum> Probe(IReadOnlyList<EncodedSample> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        var weight = _layer.Weight;
        using var tokens = TokenBatch.Create(batch, weight.device);
        try
        {
            using var grad = enable_grad();
            // Only the target requires grad, so the graph starts at the target layer.
            using var target = new GradientTargetScope(_model, weight, TargetParameter);
            _layer.Capture = true;
            // The last layer runs its queries, output projection and MLP only where a supervised token is predicted:
            // elsewhere their output reaches no loss, so their δ is zero and nothing of the gradient is lost.
            var hidden = _model.ForwardHiddenAt(tokens.InputIds, tokens.PredictorGrid);
            var h = hidden.reshape(-1, hidden.shape[2]).index_select(0, tokens.PaddedSlot);
            Tensor outputGradient;
            double[] losses;
            if (_layer.CapturedOutput is { } output)
            {
                target.EnsureDependsOnTarget(h);
                // Two stages, so the [answer tokens, vocabulary] output tensors exist one group of samples at a time:
                // first the loss gradient at the final hidden states, group by group through the output layer alone,
                // then one backward pass from there to the target layer (the chain rule, exactly).
                var (hiddenGradient, groupLosses) = HiddenGradient(tokens, h.detach());
                losses = groupLosses;
                outputGradient = autograd.grad([h], [output], [hiddenGradient])[0];
            }
            else
            {
                // The target is applied after the final hidden states (a LoRA pair on lm_head): its layer only runs
                // in the output layer, so the batch goes through it whole.
                var perSample = PerSampleLoss(tokens, _model.Logits(h));
                var outputLayer = _layer.CapturedOutput ?? throw new ArgumentException(
                    $"the layer of '{TargetParameter}' was not called by the model's forward pass, so it has no gradient.");
                target.EnsureDependsOnTarget(perSample);
                losses = perSample.detach().cpu().to(float64).data<double>().ToArray();
                outputGradient = autograd.grad([perSample.sum()], [outputLayer])[0];
            }
            var (delta, input) = PerSampleRows(tokens, outputGradient.to(float32), _layer.CapturedInput!.detach().to(float32));

            var values = ProductSpectrum.TopSingularValues(delta[.., .., ..(int)_block.Rows], input[.., .., ..(int)_block.Columns], _options.Rank);
            var norms = ProductSpectrum.FrobeniusNorms(delta, input);
            var result = new GradientSpectrum[batch.Count];
            for (var i = 0; i < batch.Count; i++)
                result[i] = new GradientSpectrum(values[i], batch[i].AnswerTokens, losses[i], norms[i]);
            return result;
        }
        finally
        {
            _layer.Capture = false;
            _layer.ClearCapture();
        }
    }

    /// <summary>
    /// ∂(Σ_b loss_b)/∂h for the final hidden states <paramref name="hidden"/> [Σ T, d] (no graph behind them), and each
    /// sample's loss, taking the output layer one <see cref="OutputGroup"/> at a time.
    /// </summary>
    (Tensor Gradient, double[] Losses) HiddenGradient(TokenBatch tokens, Tensor hidden)
    {
        var gradients = new List<Tensor>();
        var losses = new List<double>(tokens.Count);
        var groups = OutputGroup.Split(tokens.Samples, _options.MaxOutputElements, _model.OutputWeight.shape[0]);
        foreach (var group in groups)
        {
            // Each group's [rows, V] tensors go when its scope ends; only the [rows, d] gradient moves out.
            using var groupScope = NewDisposeScope();
            // One group (the usual case) is the whole batch: its index tensors exist already.
            using var own = groups.Count == 1 ? null : TokenBatch.Create(group.Samples, hidden.device);
            var part = own ?? tokens;
            var leaf = hidden.narrow(0, group.FirstRow, group.Rows).detach().requires_grad_(true);
            var perSample = PerSampleLoss(part, _model.Logits(leaf));
            gradients.Add(autograd.grad([perSample.sum()], [leaf])[0].MoveToOuterDisposeScope());
            losses.AddRange(perSample.detach().cpu().to(float64).data<double>().ToArray());
        }
        return (gradients.Count == 1 ? gradients[0] : cat(gradients, 0), losses.ToArray());
    }

    /// <summary>Mean answer-token cross-entropy of each sample of <paramref name="tokens"/> from its logits [Σ T, V].</summary>
    static Tensor PerSampleLoss(TokenBatch tokens, Tensor logits)
    {
        var logProbs = logits.to(float32).log_softmax(1);
        var tokenLoss = -logProbs.gather(1, tokens.Targets.unsqueeze(1)).squeeze(1);
        var answerTokens = tensor(tokens.Samples.Select(s => (float)s.AnswerTokens).ToArray(), float32, logits.device);
        return zeros(tokens.Count, float32, logits.device).index_add(0, tokens.SampleOfToken, tokenLoss, 1.0) / answerTokens;
    }

    /// <summary>
    /// The layer's output gradients and inputs as per-sample rows <c>[B, rows, ·]</c> with zero rows where a sample has
    /// none, from whichever layout the layer ran in: every position <c>[B, L, ·]</c> (padding masked), the last layer's
    /// predicting positions <c>[B, Tmax, ·]</c> (slots past a sample's T masked: they repeat its last position), or
    /// the picked rows <c>[N, ·]</c> of a layer on lm_head.
    /// </summary>
    static (Tensor Delta, Tensor Input) PerSampleRows(TokenBatch tokens, Tensor delta, Tensor input)
    {
        if (delta.dim() == 2) return (tokens.ToPadded(delta), tokens.ToPadded(input));
        // L > Tmax always (every sample has at least one prompt token), so the length tells the layouts apart.
        var mask = delta.shape[1] == tokens.Length
            ? tokens.PositionMask
            : tokens.ToPadded(ones([tokens.PaddedSlot.shape[0], 1], float32, delta.device));
        return (delta * mask, input * mask);
    }

    static ProbeableLinear FindLayer(ICausalLm model, string target)
    {
        const string suffix = ".weight";
        if (target.EndsWith(suffix, StringComparison.Ordinal))
        {
            var moduleName = target[..^suffix.Length];
            foreach (var (name, module) in model.Network.named_modules())
                if (name == moduleName && module is ProbeableLinear linear) return linear;
        }
        // Not a Linear weight: say what it is, or list the closest names.
        TargetResolver.Find(model, target);
        throw new ArgumentException($"'{target}' is not the weight of a linear layer; targets are lm_head.weight or a Linear/LoRA weight such as model.layers.0.self_attn.q_proj.weight.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
