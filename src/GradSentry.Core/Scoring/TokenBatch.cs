using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Scoring;

/// <summary>
/// A right-padded batch of encoded samples on a device, with the index tensors that pick the
/// supervised positions out of flattened <c>[B·L, ·]</c> activations and put them into a
/// zero-padded <c>[B·Tmax, ·]</c> layout.
/// </summary>
public sealed class TokenBatch : IDisposable
{
    TokenBatch(IReadOnlyList<EncodedSample> samples, Tensor ids, Tensor predictors, Tensor targets, Tensor sampleOfToken, Tensor paddedSlot, Tensor positionMask, Tensor predictorGrid)
    {
        PredictorGrid = predictorGrid;
        SharedPrefix = SharedPrefixOf(samples);
        Samples = samples;
        InputIds = ids;
        PredictorPositions = predictors;
        Targets = targets;
        SampleOfToken = sampleOfToken;
        PaddedSlot = paddedSlot;
        PositionMask = positionMask;
        Length = (int)ids.shape[1];
        MaxAnswerTokens = samples.Max(s => s.AnswerTokens);
    }

    /// <summary>The samples, in batch order.</summary>
    public IReadOnlyList<EncodedSample> Samples { get; }
    /// <summary>[B, L] int64 token ids, right-padded.</summary>
    public Tensor InputIds { get; }
    /// <summary>[N] int64 flat indices <c>b·L + p</c> of the positions whose hidden states predict a supervised token (N = Σ T_b).</summary>
    public Tensor PredictorPositions { get; }
    /// <summary>[N] int64 supervised token ids.</summary>
    public Tensor Targets { get; }
    /// <summary>[N] int64 batch index of each supervised token.</summary>
    public Tensor SampleOfToken { get; }
    /// <summary>[N] int64 slot <c>b·Tmax + t</c> of each supervised token in a zero-padded per-sample layout.</summary>
    public Tensor PaddedSlot { get; }
    /// <summary>
    /// [B, Tmax] int64 position (within its row) of each sample's t-th predicting token, for
    /// <see cref="GradSentry.Models.ICausalLm.ForwardHiddenAt"/>; slots past a sample's T repeat its last position. Row
    /// <c>b·Tmax + t</c> of the flattened result is the <see cref="PaddedSlot"/> of that token.
    /// </summary>
    public Tensor PredictorGrid { get; }
    /// <summary>
    /// How many leading tokens every sample has in common (a template's preamble, a system prompt), for
    /// <see cref="GradSentry.Models.ICausalLm.ForwardHiddenAt"/> to compute once; at most each sample's prompt length − 1,
    /// so every predicting position lies after it. 0 when sharing would save fewer than
    /// <see cref="MinSharedTokenRows"/> token rows (one sample, or a short common start).
    /// </summary>
    public int SharedPrefix { get; }

    /// <summary>Token rows a shared prefix must save ((B − 1) · S) before it is used: below that, its extra layer calls cost more.</summary>
    public const int MinSharedTokenRows = 64;

    /// <summary>[B, L, 1] float32: 1 at real positions, 0 at padding.</summary>
    public Tensor PositionMask { get; }
    /// <summary>L, the padded length.</summary>
    public int Length { get; }
    /// <summary>Tmax, the largest T in the batch.</summary>
    public int MaxAnswerTokens { get; }
    /// <summary>B.</summary>
    public int Count => Samples.Count;

    /// <summary>Builds the batch on <paramref name="device"/>; padding uses token id <paramref name="padId"/>.</summary>
    public static TokenBatch Create(IReadOnlyList<EncodedSample> samples, Device device, int padId = 0)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("a batch needs at least one sample.", nameof(samples));
        var b = samples.Count;
        var length = samples.Max(s => s.Length);
        var tmax = samples.Max(s => s.AnswerTokens);
        var n = samples.Sum(s => s.AnswerTokens);
        var ids = new long[b * length];
        var mask = new float[b * length];
        var predictors = new long[n];
        var targets = new long[n];
        var sampleOf = new long[n];
        var slots = new long[n];
        var grid = new long[b * tmax];
        var k = 0;
        for (var i = 0; i < b; i++)
        {
            var s = samples[i];
            if (s.PromptLength < 1 || s.AnswerTokens < 1 || s.PromptLength + s.AnswerTokens != s.Length)
                throw new ArgumentException($"sample {s.Id}: inconsistent encoding (prompt {s.PromptLength}, answer {s.AnswerTokens}, length {s.Length}).");
            Array.Fill(ids, padId, i * length, length);
            for (var p = 0; p < s.Length; p++)
            {
                ids[i * length + p] = s.InputIds[p];
                mask[i * length + p] = 1;
            }
            for (var t = 0; t < s.AnswerTokens; t++, k++)
            {
                predictors[k] = i * length + s.PromptLength - 1 + t;
                targets[k] = s.InputIds[s.PromptLength + t];
                sampleOf[k] = i;
                slots[k] = i * tmax + t;
            }
            for (var t = 0; t < tmax; t++) grid[i * tmax + t] = s.PromptLength - 1 + Math.Min(t, s.AnswerTokens - 1);
        }
        return new TokenBatch(samples,
            tensor(ids, [b, length], int64, device),
            tensor(predictors, int64, device),
            tensor(targets, int64, device),
            tensor(sampleOf, int64, device),
            tensor(slots, int64, device),
            tensor(mask, [b, length, 1], float32, device),
            tensor(grid, [b, tmax], int64, device));
    }

    static int SharedPrefixOf(IReadOnlyList<EncodedSample> samples)
    {
        var first = samples[0].InputIds;
        var shared = samples.Min(s => s.PromptLength) - 1;
        for (var i = 1; i < samples.Count && shared > 0; i++)
        {
            var ids = samples[i].InputIds;
            var same = 0;
            while (same < shared && ids[same] == first[same]) same++;
            shared = same;
        }
        return (long)(samples.Count - 1) * shared >= MinSharedTokenRows ? shared : 0;
    }

    /// <summary>Scatters per-token rows <c>[N, c]</c> into a zero-padded <c>[B, Tmax, c]</c> tensor.</summary>
    public Tensor ToPadded(Tensor perToken)
    {
        ArgumentNullException.ThrowIfNull(perToken);
        var columns = perToken.shape[1];
        var padded = zeros([Count * (long)MaxAnswerTokens, columns], perToken.dtype, perToken.device);
        return padded.index_copy_(0, PaddedSlot, perToken).view(Count, MaxAnswerTokens, columns);
    }

    /// <summary>Mean of per-token values for each sample (e.g. the loss).</summary>
    public double[] MeanPerSample(Tensor perToken)
    {
        ArgumentNullException.ThrowIfNull(perToken);
        using var scope = NewDisposeScope();
        var sums = zeros(Count, float64, perToken.device).index_add_(0, SampleOfToken, perToken.to(float64), 1.0);
        var host = sums.cpu().data<double>().ToArray();
        for (var i = 0; i < Count; i++) host[i] /= Samples[i].AnswerTokens;
        return host;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        InputIds.Dispose();
        PredictorPositions.Dispose();
        Targets.Dispose();
        SampleOfToken.Dispose();
        PaddedSlot.Dispose();
        PositionMask.Dispose();
        PredictorGrid.Dispose();
    }
}
