using GradSentry.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Scoring;

/// <summary>
/// Perplexities of texts under a causal language model, batched: the text is tokenized without special tokens, BOS is
/// prepended when the tokenizer adds one, and the perplexity is <c>exp(mean NLL)</c> over every token the model predicts
/// (all text tokens after BOS; without BOS, all but the first). A text longer than the maximum length keeps its last
/// tokens (BOS kept), as the sample encoder cuts prompts. A text with no predicted token measures NaN.
/// </summary>
public sealed class PromptPerplexity
{
    readonly ICausalLm _model;
    readonly Func<string, IReadOnlyList<int>> _encodeText;
    readonly int? _bos;
    readonly int _maxLength;
    readonly int _batchSize;
    readonly int _maxTokensPerBatch;

    /// <summary>Creates the measure.</summary>
    /// <param name="model">The language model.</param>
    /// <param name="encodeText">Tokenizes text without special tokens.</param>
    /// <param name="bosTokenId">BOS prepended to every text, or null.</param>
    /// <param name="maxLength">Most tokens per sequence (BOS included).</param>
    /// <param name="batchSize">Most texts per forward pass.</param>
    /// <param name="maxTokensPerBatch">Most padded tokens (texts × length) per forward pass.</param>
    public PromptPerplexity(ICausalLm model, Func<string, IReadOnlyList<int>> encodeText, int? bosTokenId, int maxLength, int batchSize = 64, int maxTokensPerBatch = 16384)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(encodeText);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokensPerBatch, 2);
        _model = model;
        _encodeText = encodeText;
        _bos = bosTokenId;
        _maxLength = maxLength;
        _batchSize = batchSize;
        _maxTokensPerBatch = maxTokensPerBatch;
    }

    /// <summary>Forward passes run so far.</summary>
    public long ForwardPasses { get; private set; }

    /// <summary>Texts measured so far (those with a predicted token).</summary>
    public long TextsMeasured { get; private set; }

    /// <summary>The token ids a text is measured on: <c>[bos?] + tokens(text)</c>, cut from the left to the maximum length.</summary>
    public int[] Ids(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        IReadOnlyList<int> tokens;
        try
        {
            tokens = text.Length == 0 ? [] : _encodeText(text);
        }
        catch (ArgumentException)
        {
            return []; // text the tokenizer cannot map: not measurable
        }
        var bos = _bos is null ? 0 : 1;
        var keep = Math.Min(tokens.Count, _maxLength - bos);
        var ids = new int[bos + keep];
        if (_bos is int b) ids[0] = b;
        for (var i = 0; i < keep; i++) ids[bos + i] = tokens[tokens.Count - keep + i];
        return ids;
    }

    /// <summary>The perplexity of every text, in order (NaN for a text with no predicted token).</summary>
    public double[] Compute(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var ids = texts.Select(Ids).ToList();
        var result = new double[texts.Count];
        Array.Fill(result, double.NaN);
        // Similar lengths share a batch; the order depends only on the texts, so the same texts give the same bits.
        var order = Enumerable.Range(0, ids.Count).Where(i => ids[i].Length >= 2).OrderBy(i => ids[i].Length).ThenBy(i => i).ToList();
        TextsMeasured += order.Count;
        var start = 0;
        while (start < order.Count)
        {
            var end = start + 1;
            while (end < order.Count && end - start < _batchSize && (long)ids[order[end]].Length * (end - start + 1) <= _maxTokensPerBatch) end++;
            var slots = order.GetRange(start, end - start);
            var values = Batch(slots.Select(i => ids[i]).ToList());
            for (var j = 0; j < slots.Count; j++) result[slots[j]] = values[j];
            start = end;
        }
        return result;
    }

    double[] Batch(List<int[]> sequences)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = _model.OutputWeight.device;
        var count = sequences.Count;
        var length = sequences.Max(s => s.Length);
        var flat = new long[count * length];
        var predictors = new List<long>();
        var targets = new List<long>();
        var owners = new List<long>();
        for (var b = 0; b < count; b++)
        {
            var s = sequences[b];
            for (var p = 0; p < s.Length; p++) flat[b * length + p] = s[p];
            // Right padding (id 0): under causal attention no real position sees it.
            for (var p = 0; p + 1 < s.Length; p++)
            {
                predictors.Add(b * length + p);
                targets.Add(s[p + 1]);
                owners.Add(b);
            }
        }
        var input = tensor(flat, [count, length], int64, device);
        var hidden = _model.ForwardHidden(input);
        var picked = hidden.reshape(-1, hidden.shape[2]).index_select(0, tensor(predictors.ToArray(), int64, device));
        var logProbs = _model.Logits(picked).to(float32).log_softmax(1);
        var nll = -logProbs.gather(1, tensor(targets.ToArray(), int64, device).unsqueeze(1)).squeeze(1).to(float64);
        var sums = zeros([count], float64, device).index_add_(0, tensor(owners.ToArray(), int64, device), nll, 1.0);
        var host = sums.cpu().data<double>().ToArray();
        ForwardPasses++;
        var result = new double[count];
        for (var b = 0; b < count; b++) result[b] = Math.Exp(host[b] / (sequences[b].Length - 1));
        return result;
    }
}
