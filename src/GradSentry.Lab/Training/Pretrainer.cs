using System.Diagnostics;
using GradSentry.Lab.Data;
using GradSentry.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Lab.Training;

/// <summary>Options of <see cref="Pretrainer"/>.</summary>
public sealed record PretrainOptions
{
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 1500;

    /// <summary>Sequences per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Warm-up steps.</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary>AdamW decoupled weight decay (matrices only; norms and embeddings get none).</summary>
    public double WeightDecay { get; init; } = 0.05;

    /// <summary>Gradient-norm clip.</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Seed of the initialization and the batch order.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks ranges.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupSteps);
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be positive.");
    }
}

/// <summary>One logged point of a training run.</summary>
/// <param name="Step">1-based step.</param>
/// <param name="Loss">Mean training loss since the previous point.</param>
/// <param name="LearningRate">Rate of the last step.</param>
/// <param name="Elapsed">Wall time since the start.</param>
public sealed record TrainingProgress(int Step, double Loss, double LearningRate, TimeSpan Elapsed);

/// <summary>
/// Pre-trains a causal LM on whole token sequences (next-token loss on every position after the first, padding
/// ignored) with AdamW, a warm-up + cosine schedule and gradient clipping. Batches are drawn epoch by epoch from a
/// seeded permutation. CPU, single process, deterministic for a given seed and thread count.
/// </summary>
public static class Pretrainer
{
    /// <summary>Trains <paramref name="model"/> in place; returns the mean loss of the last 10% of steps.</summary>
    public static double Train(ICausalLm model, IReadOnlyList<int[]> sequences, int padId, PretrainOptions options, IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (sequences.Count == 0) throw new ArgumentException("no training sequences.", nameof(sequences));
        var parameters = model.Network.named_parameters().ToList();
        foreach (var (_, p) in parameters) p.requires_grad_(true);
        var decay = parameters.Where(p => p.parameter.dim() >= 2 && !p.name.Contains("embed", StringComparison.Ordinal)).Select(p => p.parameter).ToList();
        var noDecay = parameters.Where(p => !(p.parameter.dim() >= 2 && !p.name.Contains("embed", StringComparison.Ordinal))).Select(p => p.parameter).ToList();
        using var optimizerDecay = optim.AdamW(decay, lr: options.LearningRate, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: options.WeightDecay);
        using var optimizerNoDecay = optim.AdamW(noDecay, lr: options.LearningRate, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0);
        var schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, options.Steps);
        var rng = LabRandom.For(options.Seed, "pretrain-batches");
        var order = rng.Permutation(sequences.Count);
        var cursor = 0;
        var clock = Stopwatch.StartNew();
        double windowLoss = 0;
        var windowSteps = 0;
        var tail = new List<double>();
        var all = parameters.Select(p => p.parameter).ToList();
        try
        {
            for (var step = 0; step < options.Steps; step++)
            {
                var batch = new List<int[]>(options.BatchSize);
                while (batch.Count < Math.Min(options.BatchSize, sequences.Count))
                {
                    if (cursor == order.Length)
                    {
                        order = rng.Permutation(sequences.Count);
                        cursor = 0;
                    }
                    batch.Add(sequences[order[cursor++]]);
                }
                var lr = schedule.At(step);
                foreach (var g in optimizerDecay.ParamGroups) g.LearningRate = lr;
                foreach (var g in optimizerNoDecay.ParamGroups) g.LearningRate = lr;
                double value;
                using (var scope = NewDisposeScope())
                {
                    optimizerDecay.zero_grad();
                    optimizerNoDecay.zero_grad();
                    var loss = CausalLmTraining.Loss(model, batch, Enumerable.Repeat(1, batch.Count).ToList(), padId);
                    loss.backward();
                    nn.utils.clip_grad_norm_(all, options.ClipNorm);
                    optimizerDecay.step();
                    optimizerNoDecay.step();
                    value = loss.item<float>();
                }
                windowLoss += value;
                windowSteps++;
                if (step >= options.Steps - Math.Max(1, options.Steps / 10)) tail.Add(value);
                if ((step + 1) % 50 == 0 || step + 1 == options.Steps)
                {
                    progress?.Report(new TrainingProgress(step + 1, windowLoss / windowSteps, lr, clock.Elapsed));
                    windowLoss = 0;
                    windowSteps = 0;
                }
            }
        }
        finally
        {
            optimizerDecay.zero_grad();
            optimizerNoDecay.zero_grad();
            foreach (var (_, p) in parameters) p.requires_grad_(false);
        }
        return tail.Average();
    }
}
