namespace GradSentry.Lab.Attacks;

/// <summary>The attack catalogue.</summary>
public static class Attacks
{
    /// <summary>Names of every attack, reference ones first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["badnets", "addsent", "cba", "style", "fixed-answer", "bare-url"];

    /// <summary>The attack called <paramref name="name"/>; <paramref name="countTokens"/> is needed by the length-matched ones.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Attack Create(string name, Func<string, int> countTokens)
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
            _ => throw new ArgumentException($"unknown attack '{name}'; use one of {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}
