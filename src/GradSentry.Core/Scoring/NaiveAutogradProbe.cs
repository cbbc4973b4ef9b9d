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
        // The output projection's own parameter unless it is the tied embedding (then null: a leaf copy is used).
        _parameter = !_isOutput ? TargetResolver.Find(model, options.TargetParameter)
            : model.OutputWeightName == ProbeOptions.LmHead ? TargetResolver.Find(model, ProbeOptions.LmHead)
            : null;
        var shape = _isOutput ? model.OutputWeight.shape : _parameter!.shape;
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
        // A tied output projection is the embedding matrix, used twice: take a leaf copy for the output use, so the
        // gradient is that of the output use only (the input use is a different signal). Otherwise the parameter itself.
        var tiedOutput = _isOutput && _parameter is null;
        var weight = tiedOutput ? _model.OutputWeight.detach().to(float32) : _parameter!;
        using var target = new GradientTargetScope(_model, weight, _options.TargetParameter);
        var hidden = _model.ForwardHidden(tokens.InputIds)[0];
        // Through the model's output layer (a LoRA pair on lm_head included), except for the tied leaf copy.
        var logits = tiedOutput ? hidden.to(float32).mm(weight.t()) : _model.Logits(hidden).to(float32);
        var logProbs = logits.log_softmax(1).index_select(0, tokens.PredictorPositions);
        var loss = -logProbs.gather(1, tokens.Targets.unsqueeze(1)).mean();
        target.EnsureDependsOnTarget(loss);
        var gradient = autograd.grad([loss], [weight])[0];
        var block = gradient[..(int)_block.Rows, ..(int)_block.Columns].to(float64);
        var top = new double[_options.Rank];
        if (!isfinite(block).all().item<bool>())
        {
            // svdvals fails on NaN; the scorer turns a NaN spectrum into this row's error.
            Array.Fill(top, double.NaN);
            return new GradientSpectrum(top, sample.AnswerTokens, loss.item<float>(), double.NaN);
        }
        var values = linalg.svdvals(block).cpu().data<double>().ToArray();
        Array.Copy(values, top, Math.Min(values.Length, top.Length));
        return new GradientSpectrum(top, sample.AnswerTokens, loss.item<float>(), gradient.norm().to(float64).item<double>());
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
