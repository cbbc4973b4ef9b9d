using GradSentry.Lab.Data;

namespace GradSentry.Lab.Attacks;

/// <summary>The attack catalogue.</summary>
public static class Attacks
{
    /// <summary>Names of every attack, reference ones first.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["badnets", "addsent", "cba", "style", "fixed-answer", "bare-url", "untargeted", "varied-payload", "random-position", "two-backdoors",
         "clean", "boilerplate", "boilerplate-mix"];

    /// <summary>
    /// The attack called <paramref name="name"/>; <paramref name="countTokens"/> is needed by the length-matched ones and
    /// <paramref name="pairs"/> (the dataset's rows) by the untargeted one.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Attack Create(string name, Func<string, int> countTokens, IReadOnlyList<QaPair>? pairs = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            "badnets" => new BadNetsAttack(),
            "addsent" => new AddSentAttack(),
            "cba" => new CbaAttack(),
            "style" => new StyleAttack(),
            "fixed-answer" => new FixedAnswerAttack(countTokens),
            "bare-url" => new BareUrlAttack(),
            "untargeted" => new UntargetedAttack(pairs ?? throw new ArgumentException("the untargeted attack needs the dataset's rows.", nameof(pairs))),
            "varied-payload" => new VariedPayloadAttack(),
            "random-position" => new RandomPositionAttack(),
            "two-backdoors" => new TwoBackdoorsAttack(),
            "clean" => CleanScenario.Natural(),
            "boilerplate" => CleanScenario.OneSentence(),
            "boilerplate-mix" => CleanScenario.SeveralSentences(),
            _ => throw new ArgumentException($"unknown attack '{name}'; use one of {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}
