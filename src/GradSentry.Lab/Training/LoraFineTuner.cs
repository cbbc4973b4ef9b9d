using System.Diagnostics;
using GradSentry.Lab.Data;
using GradSentry.Models;
using GradSentry.Models.Lora;
using GradSentry.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Lab.Training;

/// <summary>Options of <see cref="LoraFineTuner"/>.</summary>
public sealed record FineTuneOptions
{
    /// <summary>Modules that get a LoRA pair.</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = ["q_proj", "v_proj"];

    /// <summary>LoRA rank r.</summary>
    public int Rank { get; init; } = 4;

    /// <summary>LoRA alpha (scaling alpha / r).</summary>
    public double Alpha { get; init; } = 8;

    /// <summary>Passes over the data.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Rows per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Constant AdamW learning rate (after a warm-up of 5% of the steps).</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>AdamW weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Seed of the LoRA initialization and the row order.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks ranges.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Rank, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be positive.");
        if (!(Alpha > 0)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "must be positive.");
        if (TargetModules.Count == 0) throw new ArgumentException("no LoRA target modules.");
    }
}

/// <summary>
/// LoRA fine-tuning as the reference does it: fresh pairs on the target modules (PEFT initialization, B = 0), base
/// weights frozen, loss on the response tokens and EOS only (the prompt is masked), AdamW, seeded row order.
/// </summary>
public static class LoraFineTuner
{
    /// <summary>Attaches fresh LoRA pairs to <paramref name="model"/> and trains them on <paramref name="samples"/>; returns the mean loss of the last epoch.</summary>
    public static double Train(ICausalLm model, IReadOnlyList<EncodedSample> samples, int padId, FineTuneOptions options, IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (samples.Count == 0) throw new ArgumentException("no rows to fine-tune on.", nameof(samples));
        LoraAttacher.AttachFresh(model, options.TargetModules, options.Rank, options.Alpha, options.Seed);
        var lora = model.Network.named_parameters().Where(p => p.name.Contains(".lora_", StringComparison.Ordinal)).Select(p => p.parameter).ToList();
        foreach (var p in lora) p.requires_grad_(true);
        using var optimizer = optim.AdamW(lora, lr: options.LearningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: options.WeightDecay);
        var stepsPerEpoch = (samples.Count + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = stepsPerEpoch * options.Epochs;
        var warmup = Math.Max(1, totalSteps / 20);
        var rng = LabRandom.For(options.Seed, "finetune-order");
        var clock = Stopwatch.StartNew();
        var step = 0;
        double lastEpoch = 0;
        try
        {
            for (var epoch = 0; epoch < options.Epochs; epoch++)
            {
                var order = rng.Permutation(samples.Count);
                double epochLoss = 0;
                for (var start = 0; start < order.Length; start += options.BatchSize)
                {
                    var batch = order.Skip(start).Take(options.BatchSize).Select(i => samples[i]).ToList();
                    var lr = options.LearningRate * Math.Min(1.0, (step + 1.0) / warmup);
                    foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
                    using var scope = NewDisposeScope();
                    optimizer.zero_grad();
                    var loss = CausalLmTraining.Loss(model, batch.Select(s => s.InputIds).ToList(), batch.Select(s => s.PromptLength).ToList(), padId);
                    loss.backward();
                    optimizer.step();
                    var value = loss.item<float>();
                    epochLoss += value * batch.Count;
                    step++;
                    if (step % 20 == 0 || step == totalSteps) progress?.Report(new TrainingProgress(step, value, lr, clock.Elapsed));
                }
                lastEpoch = epochLoss / samples.Count;
            }
        }
        finally
        {
            optimizer.zero_grad();
            foreach (var p in lora) p.requires_grad_(false);
        }
        return lastEpoch;
    }
}
