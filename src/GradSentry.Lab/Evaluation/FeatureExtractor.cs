using GradSentry.Data;
using GradSentry.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Lab.Evaluation;

/// <summary>
/// Measures <see cref="SampleFeatures"/> for (question, answer) pairs with a GradSentry model, rendering prompts with the
/// reference <c>gradsentry-qa</c> template and encoding them exactly as the scanner does. The lm_head gradient is never
/// formed: with <c>G = (1/T) Eᵀ H</c> (E = softmax − onehot rows, H = final-normed hidden states), the reference
/// spectrum comes from <see cref="ProductSpectrum"/> as in the closed-form probe, and the DCT block is
/// <c>(1/T) (E C_Vᵀ)ᵀ (H C_dᵀ)</c> with the first rows of the DCT bases.
/// </summary>
public sealed class FeatureExtractor
{
    readonly GradSentryModel _model;
    readonly SampleEncoder _encoder;
    readonly IPromptTemplate _template = PromptTemplates.GradSentryQa();
    readonly ProbeOptions _probe;
    readonly int _dctRows;
    readonly int _dctColumns;
    readonly double[] _dctVocab;
    readonly double[] _dctHidden;
    readonly int _batchSize;

    /// <summary>Prepares the extractor.</summary>
    /// <param name="model">The model and tokenizer.</param>
    /// <param name="probe">Rank k and slice factor of the reference block.</param>
    /// <param name="dctRows">Low-frequency DCT rows kept (vocabulary axis).</param>
    /// <param name="dctColumns">Low-frequency DCT columns kept (hidden axis).</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    public FeatureExtractor(GradSentryModel model, ProbeOptions? probe = null, int dctRows = 32, int dctColumns = 32, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _encoder = model.CreateEncoder();
        _probe = probe ?? new ProbeOptions();
        _probe.Validate();
        var w = model.Model.OutputWeight;
        var vocab = (int)w.shape[0];
        var hidden = (int)w.shape[1];
        _dctRows = Math.Min(dctRows, vocab);
        _dctColumns = Math.Min(dctColumns, hidden);
        _dctVocab = Dct.Basis(vocab, _dctRows);
        _dctHidden = Dct.Basis(hidden, _dctColumns);
        _batchSize = batchSize;
        Block = GradientBlock.For(ProbeOptions.LmHead, vocab, hidden, _probe);
    }

    /// <summary>The reference block.</summary>
    public GradientBlock Block { get; }

    /// <summary>The prompt and response the scanner would see for a QA row.</summary>
    public PromptResponse Render(string question, string answer) =>
        _template.Apply(DataRecord.FromFields("lab", 0, 1, ["question", "answer"], [question, answer]));

    /// <summary>Answer tokens T (response tokens + EOS) of <paramref name="answer"/>.</summary>
    public int AnswerTokens(string answer) => _model.Tokenizer.EncodeText(answer).Count + 1;

    /// <summary>Features of every (question, answer) pair, in input order.</summary>
    public IReadOnlyList<SampleFeatures> Extract(IReadOnlyList<(string Question, string Answer)> rows, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var encoded = rows.Select((r, i) =>
        {
            var pr = Render(r.Question, r.Answer);
            return _encoder.Encode(i, pr.Prompt, pr.Response);
        }).ToList();
        var order = Enumerable.Range(0, encoded.Count).OrderBy(i => encoded[i].Length).ThenBy(i => i).ToList();
        var result = new SampleFeatures[rows.Count];
        for (var start = 0; start < order.Count; start += _batchSize)
        {
            var slots = order.Skip(start).Take(_batchSize).ToList();
            var batch = slots.Select(i => encoded[i]).ToList();
            var features = ExtractBatch(batch);
            for (var j = 0; j < slots.Count; j++) result[slots[j]] = features[j];
            progress?.Report(Math.Min(order.Count, start + _batchSize));
        }
        return result;
    }

    SampleFeatures[] ExtractBatch(List<EncodedSample> batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var lm = _model.Model;
        var device = lm.OutputWeight.device;
        using var tokens = TokenBatch.Create(batch, device);
        var hidden = lm.ForwardHidden(tokens.InputIds);
        var d = hidden.shape[2];
        var picked = hidden.reshape(-1, d).index_select(0, tokens.PredictorPositions);
        var h = picked.to(float64);
        var logProbs = lm.Logits(picked).to(float64).log_softmax(1);
        var targets = tokens.Targets.unsqueeze(1);
        var tokenLoss = -logProbs.gather(1, targets).squeeze(1);
        var errors = logProbs.exp().scatter_add(1, targets, full(targets.shape, -1.0, float64, device));
        var errorNorms = errors.norm(1);

        var block = ProductSpectrum.TopSingularValues(
            tokens.ToPadded(errors[.., ..Block.Rows]), tokens.ToPadded(h[.., ..Block.Columns]), _probe.Rank);
        var whole = ProductSpectrum.TopSingularValues(tokens.ToPadded(errors), tokens.ToPadded(h), _probe.Rank);
        var cv = tensor(_dctVocab, [_dctRows, errors.shape[1]], float64, device);
        var cd = tensor(_dctHidden, [_dctColumns, d], float64, device);
        var dct = tokens.ToPadded(errors.mm(cv.t())).transpose(1, 2).bmm(tokens.ToPadded(h.mm(cd.t()))); // [B, a, b]
        var (rv, rd) = GradientSketch.Projections(errors.shape[1], d, device);
        var sketches = GradientSketch.Compute(errors, h, rv, rd, tokens);
        var sumHidden = zeros([batch.Count, d], float64, device).index_add_(0, tokens.SampleOfToken, h, 1.0);

        var lossHost = tokenLoss.cpu().data<double>().ToArray();
        var normHost = errorNorms.cpu().data<double>().ToArray();
        var dctHost = dct.to(float32).cpu().data<float>().ToArray();
        var hiddenHost = sumHidden.cpu().data<double>().ToArray();

        var result = new SampleFeatures[batch.Count];
        var at = 0;
        var cells = _dctRows * _dctColumns;
        for (var i = 0; i < batch.Count; i++)
        {
            var t = batch[i].AnswerTokens;
            var blockValues = block[i].Select(v => v / t).ToArray();
            var wholeValues = whole[i].Select(v => v / t).ToArray();
            var losses = lossHost.AsSpan(at, t).ToArray();
            var norms = normHost.AsSpan(at, t).ToArray();
            at += t;
            var dctRow = new float[cells];
            for (var c = 0; c < cells; c++) dctRow[c] = dctHost[i * cells + c] / t;
            var mean = new float[d];
            for (var c = 0; c < d; c++) mean[c] = (float)(hiddenHost[i * d + c] / t);
            result[i] = new SampleFeatures(t, losses.Average(), blockValues, SpectralEntropy.Score(blockValues),
                wholeValues, losses, norms, dctRow, mean, sketches[i]);
        }
        return result;
    }
}

/// <summary>The orthonormal DCT-II basis.</summary>
public static class Dct
{
    /// <summary>
    /// The first <paramref name="rows"/> rows of the orthonormal DCT-II matrix of size <paramref name="n"/>, row-major:
    /// <c>C[k, j] = α_k cos(π (2j + 1) k / (2n))</c>, <c>α_0 = √(1/n)</c>, <c>α_k = √(2/n)</c>.
    /// </summary>
    public static double[] Basis(int n, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, n);
        var c = new double[rows * n];
        for (var k = 0; k < rows; k++)
        {
            var alpha = Math.Sqrt((k == 0 ? 1.0 : 2.0) / n);
            for (var j = 0; j < n; j++) c[k * n + j] = alpha * Math.Cos(Math.PI * (2 * j + 1) * k / (2.0 * n));
        }
        return c;
    }
}
