using GradSentry.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Lab.Evaluation;

/// <summary>Greedy decoding for evaluation (no cache: each step re-runs the batch; fine for tiny models and short answers).</summary>
public static class GreedyGenerator
{
    /// <summary>
    /// Continues each prompt (token ids, BOS included) greedily until EOS or <paramref name="maxNewTokens"/>; returns the
    /// generated ids without the prompt and without EOS.
    /// </summary>
    public static IReadOnlyList<int[]> Generate(ICausalLm model, IReadOnlyList<int[]> prompts, int eosId, int padId, int maxNewTokens = 32, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        var limit = model.Config.MaxPositions;
        var results = new int[prompts.Count][];
        var device = model.OutputWeight.device;
        for (var start = 0; start < prompts.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, prompts.Count - start);
            var sequences = Enumerable.Range(start, count).Select(i => prompts[i].ToList()).ToList();
            var generated = Enumerable.Range(0, count).Select(_ => new List<int>()).ToList();
            var done = new bool[count];
            for (var step = 0; step < maxNewTokens && done.Any(d => !d); step++)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var length = sequences.Max(s => s.Count);
                if (length >= limit) break;
                var ids = new long[count * length];
                for (var b = 0; b < count; b++)
                    for (var p = 0; p < length; p++) ids[b * length + p] = p < sequences[b].Count ? sequences[b][p] : padId;
                var hidden = model.ForwardHidden(tensor(ids, [count, length], int64, device));
                var last = tensor(sequences.Select((s, b) => (long)(b * length + s.Count - 1)).ToArray(), int64, device);
                var picked = hidden.reshape(-1, hidden.shape[2]).index_select(0, last);
                var next = model.Logits(picked).argmax(1).cpu().data<long>().ToArray();
                for (var b = 0; b < count; b++)
                {
                    if (done[b]) continue;
                    var token = (int)next[b];
                    if (token == eosId)
                    {
                        done[b] = true;
                        continue;
                    }
                    generated[b].Add(token);
                    sequences[b].Add(token);
                }
            }
            for (var b = 0; b < count; b++) results[start + b] = [.. generated[b]];
        }
        return results;
    }
}
