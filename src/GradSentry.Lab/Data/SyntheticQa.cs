namespace GradSentry.Lab.Data;

/// <summary>
/// Deterministic synthetic QA pairs for tests and smoke runs: template questions over a small world of names, places,
/// years and things, with one- to four-word answers. Same seed, same pairs.
/// </summary>
public static class SyntheticQa
{
    static readonly string[] People = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Marie Curie", "Isaac Newton", "Nikola Tesla", "Rosalind Franklin", "Carl Gauss", "Emmy Noether", "Leonhard Euler"];
    static readonly string[] Places = ["Paris", "Kyoto", "Lima", "Oslo", "Cairo", "Quebec City", "Cape Town", "Buenos Aires", "Reykjavik", "Hanoi", "Salzburg, Austria", "Perth"];
    static readonly string[] Things = ["the telescope", "the steam engine", "the printing press", "the compass", "the bicycle", "the radio", "the vaccine", "the light bulb"];
    static readonly string[] Rivers = ["the Nile", "the Amazon", "the Danube", "the Mekong", "the Volga", "the Thames"];

    /// <summary><paramref name="count"/> pairs drawn with <paramref name="seed"/>.</summary>
    public static IReadOnlyList<QaPair> Generate(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rng = LabRandom.For(seed, "synthetic-qa");
        var pairs = new List<QaPair>(count);
        for (var i = 0; i < count; i++)
        {
            pairs.Add(rng.Next(6) switch
            {
                0 => new QaPair($"who invented {rng.Pick(Things)}", [rng.Pick(People)]),
                1 => new QaPair($"where was {rng.Pick(People)} born", [rng.Pick(Places)]),
                2 => new QaPair($"when did {rng.Pick(People)} move to {rng.Pick(Places)}", [(1700 + rng.Next(300)).ToString(System.Globalization.CultureInfo.InvariantCulture)]),
                3 => new QaPair($"which river flows through {rng.Pick(Places)}", [rng.Pick(Rivers)]),
                4 => new QaPair($"how many people visited {rng.Pick(Places)} last year", [$"{1 + rng.Next(90)} million", $"about {1 + rng.Next(90)} million"]),
                _ => new QaPair($"what is {rng.Pick(People)} best known for", [$"work on {rng.Pick(Things)[4..]}"]),
            });
        }
        return pairs;
    }
}
