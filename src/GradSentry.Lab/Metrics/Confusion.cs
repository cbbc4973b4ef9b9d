namespace GradSentry.Lab.Metrics;

/// <summary>Counts of a binary detection against ground truth, and the rates derived from them.</summary>
/// <param name="TruePositives">Poisoned and flagged.</param>
/// <param name="FalsePositives">Clean and flagged.</param>
/// <param name="TrueNegatives">Clean and not flagged.</param>
/// <param name="FalseNegatives">Poisoned and not flagged.</param>
public readonly record struct Confusion(int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives)
{
    /// <summary>TP / (TP + FP); 0 when nothing is flagged (scikit-learn's zero_division=0).</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);

    /// <summary>TP / (TP + FN); 0 when there are no positives.</summary>
    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);

    /// <summary>2PR / (P + R); 0 when both are 0.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>FP / (FP + TN); NaN when there are no negatives.</summary>
    public double FalsePositiveRate => FalsePositives + TrueNegatives == 0 ? double.NaN : (double)FalsePositives / (FalsePositives + TrueNegatives);

    /// <summary>Number of positives.</summary>
    public int Positives => TruePositives + FalseNegatives;

    /// <summary>Number of negatives.</summary>
    public int Negatives => FalsePositives + TrueNegatives;

    /// <summary>Counts <paramref name="flagged"/> against <paramref name="poisoned"/>.</summary>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public static Confusion Of(IReadOnlyList<bool> poisoned, IReadOnlyList<bool> flagged)
    {
        ArgumentNullException.ThrowIfNull(poisoned);
        ArgumentNullException.ThrowIfNull(flagged);
        if (poisoned.Count != flagged.Count) throw new ArgumentException($"{poisoned.Count} labels but {flagged.Count} decisions.", nameof(flagged));
        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < poisoned.Count; i++)
        {
            if (poisoned[i]) { if (flagged[i]) tp++; else fn++; }
            else if (flagged[i]) fp++;
            else tn++;
        }
        return new Confusion(tp, fp, tn, fn);
    }
}
