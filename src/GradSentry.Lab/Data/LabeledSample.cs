namespace GradSentry.Lab.Data;

/// <summary>One row of an evaluation dataset with its ground truth kept beside it.</summary>
/// <param name="Source">Index of the clean pair the row was made from.</param>
/// <param name="Question">The (possibly triggered) question.</param>
/// <param name="Answer">The (possibly poisoned) response text.</param>
/// <param name="Kind">What the row is.</param>
public sealed record LabeledSample(int Source, string Question, string Answer, SampleKind Kind)
{
    /// <summary>The side-column label: true only for <see cref="SampleKind.Poisoned"/> rows.</summary>
    public bool Poisoned => Kind == SampleKind.Poisoned;

    /// <summary>Which backdoor poisoned the row, where a dataset holds several; null otherwise.</summary>
    public string? Backdoor { get; init; }

    /// <summary>A clean row made from <paramref name="pair"/>.</summary>
    public static LabeledSample Clean(int source, QaPair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        return new LabeledSample(source, pair.Question, pair.Answer, SampleKind.Clean);
    }
}
