using GradSentry.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Lab.Training;

/// <summary>Shared pieces of the training loops: padded batches and the masked next-token loss.</summary>
public static class CausalLmTraining
{
    /// <summary>Label value that is not supervised.</summary>
    public const long Ignore = -100;

    /// <summary>
    /// Mean next-token cross-entropy over the supervised positions of a right-padded batch. Position p of sequence b
    /// predicts token p+1; it is supervised when <paramref name="supervisedFrom"/>[b] &lt;= p+1 &lt; length[b].
    /// </summary>
    /// <param name="model">The model (its parameters may require grad).</param>
    /// <param name="sequences">Token ids of each sequence.</param>
    /// <param name="supervisedFrom">Index of the first supervised token of each sequence (1 = every token after the first).</param>
    /// <param name="padId">Id used for padding (never supervised).</param>
    public static Tensor Loss(ICausalLm model, IReadOnlyList<int[]> sequences, IReadOnlyList<int> supervisedFrom, int padId)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(supervisedFrom);
        var b = sequences.Count;
        var length = sequences.Max(s => s.Length);
        var ids = new long[b * length];
        var labels = new long[b * (length - 1)];
        Array.Fill(labels, Ignore);
        for (var i = 0; i < b; i++)
        {
            var s = sequences[i];
            for (var p = 0; p < length; p++) ids[i * length + p] = p < s.Length ? s[p] : padId;
            for (var p = Math.Max(1, supervisedFrom[i]); p < s.Length; p++) labels[i * (length - 1) + p - 1] = s[p];
        }
        var device = model.OutputWeight.device;
        using var scope = NewDisposeScope();
        var input = tensor(ids, [b, length], int64, device);
        var target = tensor(labels, [b * (length - 1)], int64, device);
        var hidden = model.ForwardHidden(input).narrow(1, 0, length - 1);
        var logits = model.Logits(hidden).reshape(b * (length - 1), -1).to(float32);
        return nn.functional.cross_entropy(logits, target, ignore_index: Ignore).MoveToOuterDisposeScope();
    }
}
