using GradSentry.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Scoring;

/// <summary>
/// The reference loop: one sample at a time, logits at every position, autograd for the target's
/// gradient, exact SVD of the sliced block. Kept as the correctness oracle for the fast probes and
/// as the benchmark baseline; never the default.
/// </summary>
public sealed class NaiveAutogradProbe : IGradientProbe
{
    readonly ICausalLm _model;
    readonly ProbeOptions _options;
    readonly bool _isOutput;
    readonly TorchSharp.Modules.Parameter? _parameter;
    readonly GradientBlock _block;

    /// <summary>Resolves the target parameter and checks k against its block.</summary>
    public NaiveAutogradProbe(ICausalLm model, ProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        _options = options;
        _isOutput = TargetResolver.IsOutputProjection(model, options.TargetParameter);
        var shape = _isOutput ? model.OutputWeight.shape : (_parameter = TargetResolver.Find(model, options.TargetParameter)).shape;
        if (shape.Length != 2) throw new ArgumentException($"target '{options.TargetParameter}' has shape [{string.Join(", ", shape)}]; a 2-D weight matrix is required.");
        _block = GradientBlock.For(options.TargetParameter, shape[0], shape[1], options);
    }

    /// <inheritdoc />
    public string Name => "naive-autograd";

    /// <inheritdoc />
    public string TargetParameter => _options.TargetParameter;

    /// <inheritdoc />
    public IReadOnlyList<GradientSpectrum> Probe(IReadOnlyList<EncodedSample> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var result = new GradientSpectrum[batch.Count];
        for (var i = 0; i < batch.Count; i++) result[i] = ProbeOne(batch[i]);
        return result;
    }

    GradientSpectrum ProbeOne(EncodedSample sample)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var device = _model.OutputWeight.device;
        using var tokens = TokenBatch.Create([sample], device);
        // For the output projection take a leaf copy, so the gradient is that of the output use only
        // (with tied embeddings the embedding's own gradient would add the input use).
        var weight = _isOutput ? _model.OutputWeight.detach().to(float32).requires_grad_(true) : _parameter!;
        var wasRequired = weight.requires_grad;
        if (!_isOutput) weight.requires_grad_(true);
        try
        {
            var hidden = _model.ForwardHidden(tokens.InputIds);
            var logits = hidden[0].to(float32).mm((_isOutput ? weight : _model.OutputWeight).to(float32).t());
            var logProbs = logits.log_softmax(1).index_select(0, tokens.PredictorPositions);
            var loss = -logProbs.gather(1, tokens.Targets.unsqueeze(1)).mean();
            var gradient = autograd.grad([loss], [weight])[0];
            var block = gradient[..(int)_block.Rows, ..(int)_block.Columns].to(float64);
            var values = linalg.svdvals(block).cpu().data<double>().ToArray();
            var top = new double[_options.Rank];
            Array.Copy(values, top, Math.Min(values.Length, top.Length));
            return new GradientSpectrum(top, sample.AnswerTokens, loss.item<float>(), gradient.norm().to(float64).item<double>());
        }
        finally
        {
            if (!_isOutput) weight.requires_grad_(wasRequired);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
