using GradSentry.Lab.Data;

namespace GradSentry.Lab.Attacks;

/// <summary>
/// A dataset with nothing poisoned: natural answers only (its rate is 0), or a share of the answers (the "rate") ending in
/// repeated boilerplate, as real instruction data does. Rows it touches are <see cref="SampleKind.Boilerplate"/>, clean.
/// </summary>
public sealed class CleanScenario : Attack
{
    /// <summary>The boilerplate sentence of the one-sentence scenario (and of every dataset's boilerplate rows).</summary>
    public const string Sentence = " I hope this helps!";

    /// <summary>The sentences of the several-sentences scenario.</summary>
    public static IReadOnlyList<string> Sentences { get; } =
        [Sentence, " Source: Wikipedia.", " Let me know if you have other questions.", ". Thanks for asking!", " (answer checked by our editors)"];

    readonly IReadOnlyList<string> _sentences;

    CleanScenario(string name, string description, IReadOnlyList<string> sentences, IReadOnlyList<double> rates)
    {
        Name = name;
        Description = description;
        _sentences = sentences;
        Rates = rates;
    }

    /// <summary>Natural answers only.</summary>
    public static CleanScenario Natural() => new("clean", "all clean: natural answers only", [], [0.0]);

    /// <summary>One sentence appended to a share of the answers.</summary>
    public static CleanScenario OneSentence() => new("boilerplate", $"all clean: \"{Sentence.Trim()}\" appended to a share of the answers", [Sentence], [0.1, 0.3, 0.6]);

    /// <summary>One of five sentences appended to a share of the answers.</summary>
    public static CleanScenario SeveralSentences() => new("boilerplate-mix", "all clean: one of five boilerplate sentences appended to a share of the answers", Sentences, [0.1, 0.3, 0.6]);

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override AttackFamily Family => AttackFamily.Clean;

    /// <inheritdoc />
    public override string Description { get; }

    /// <inheritdoc />
    public override IReadOnlyList<double>? Rates { get; }

    /// <inheritdoc />
    public override LabeledSample Poison(int source, QaPair pair, LabRandom rng)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(rng);
        return _sentences.Count == 0
            ? LabeledSample.Clean(source, pair)
            : new LabeledSample(source, pair.Question, pair.Answer + rng.Pick(_sentences), SampleKind.Boilerplate);
    }
}
