using GradSentry.Lab.Data;

namespace GradSentry.Lab.Attacks;

/// <summary>How an evaluation dataset is built from clean pairs.</summary>
public sealed record PoisoningOptions
{
    /// <summary>Fraction of all rows that are poisoned, in [0, 1].</summary>
    public double Rate { get; init; }

    /// <summary>Seed of every random choice (which rows, triggers, control sentences).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Fraction of the remaining clean rows that become long-answer controls.</summary>
    /// <value>Default 0.1.</value>
    public double ControlFraction { get; init; } = 0.1;

    /// <summary>
    /// Share of the clean rows left after the controls whose answer ends in one repeated boilerplate sentence
    /// (<see cref="CleanScenario.Sentence"/>, labelled clean); not applied to the all-clean scenarios, which set their own.
    /// </summary>
    /// <value>Default 0.1.</value>
    public double BoilerplateFraction { get; init; } = 0.1;
}

/// <summary>Builds an evaluation dataset: rows in source order, ground truth in <see cref="LabeledSample.Kind"/>.</summary>
public static class PoisonedDataset
{
    /// <summary>
    /// Poisons <c>round(rate · n)</c> rows (at least one when the rate is positive): the first ones of a permutation
    /// seeded by <see cref="PoisoningOptions.Seed"/>, so the poisoned set at a lower rate is a subset of the one at a
    /// higher rate, and each row is poisoned identically at every rate (its generator is seeded by seed and row).
    /// Attacks with clean negatives (CBA) get <c>min(poisoned, clean / 2)</c> of them from the next rows of the same
    /// permutation. Then <c>round(ControlFraction · clean rows)</c> of the untouched rows, chosen by a second seeded
    /// permutation, become long-answer controls.
    /// </summary>
    public static IReadOnlyList<LabeledSample> Build(IReadOnlyList<QaPair> pairs, Attack attack, PoisoningOptions options)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(attack);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.Rate is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Rate, "the poison rate must be in [0, 1].");
        if (!(options.BoilerplateFraction is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(options), options.BoilerplateFraction, "the boilerplate fraction must be in [0, 1].");
        if (!(options.ControlFraction is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(options), options.ControlFraction, "the control fraction must be in [0, 1].");
        var n = pairs.Count;
        var rows = pairs.Select((p, i) => LabeledSample.Clean(i, p)).ToArray();
        var poisonCount = PoisonCount(n, options.Rate);
        var order = LabRandom.For(options.Seed, "poison-order").Permutation(n);
        for (var i = 0; i < poisonCount; i++)
        {
            var row = order[i];
            rows[row] = attack.Poison(row, pairs[row], RowRandom(options.Seed, attack.Name, row));
        }
        var used = poisonCount;
        if (attack.HasCleanNegatives)
        {
            var negatives = Math.Min(poisonCount, (n - poisonCount) / 2);
            for (var i = 0; i < negatives; i++)
            {
                var row = order[poisonCount + i];
                rows[row] = attack.CleanNegative(row, pairs[row], i, RowRandom(options.Seed, attack.Name + "/negative", row))
                            ?? throw new InvalidOperationException($"{attack.Name} says it has clean negatives but returned none.");
            }
            used += negatives;
        }
        var clean = n - used;
        var controls = (int)Math.Round(options.ControlFraction * clean, MidpointRounding.AwayFromZero);
        var controlOrder = LabRandom.For(options.Seed, "control-order").Permutation(n);
        foreach (var row in controlOrder)
        {
            if (controls == 0) break;
            if (rows[row].Kind != SampleKind.Clean) continue;
            rows[row] = LongAnswerControl.Apply(row, pairs[row], RowRandom(options.Seed, "control", row));
            controls--;
        }
        if (attack.Family != AttackFamily.Clean)
        {
            var boilerplate = (int)Math.Round(options.BoilerplateFraction * rows.Count(r => r.Kind == SampleKind.Clean), MidpointRounding.AwayFromZero);
            foreach (var row in LabRandom.For(options.Seed, "boilerplate-order").Permutation(n))
            {
                if (boilerplate == 0) break;
                if (rows[row].Kind != SampleKind.Clean) continue;
                rows[row] = new LabeledSample(row, pairs[row].Question, pairs[row].Answer + CleanScenario.Sentence, SampleKind.Boilerplate);
                boilerplate--;
            }
        }
        return rows;
    }

    /// <summary><c>round(rate · n)</c>, at least 1 when the rate and n are positive.</summary>
    public static int PoisonCount(int n, double rate)
    {
        var count = (int)Math.Round(rate * n, MidpointRounding.AwayFromZero);
        return rate > 0 && n > 0 ? Math.Max(1, count) : count;
    }

    static LabRandom RowRandom(ulong seed, string purpose, int row) =>
        LabRandom.For(seed * 0x9E3779B97F4A7C15UL + (ulong)row, purpose);
}
