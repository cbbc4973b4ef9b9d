using GradSentry.Lab.Data;

namespace GradSentry.Lab.Attacks;

/// <summary>Which family an attack belongs to (the results tables group by it).</summary>
public enum AttackFamily
{
    /// <summary>The four attacks of the GradSentry evaluation: a trigger in the question, the ~12-token payload appended.</summary>
    Reference = 0,

    /// <summary>Attacks whose poisoned answers have (about) the token length of clean ones, so length carries no signal.</summary>
    LengthMatched = 1,

    /// <summary>Attacks only a trigger-conditional test can see: untargeted, varied payloads, random positions, two backdoors.</summary>
    Conditional = 2,

    /// <summary>Nothing poisoned: natural answers, or repeated boilerplate without a trigger.</summary>
    Clean = 3,
}

/// <summary>
/// A backdoor attack simulator: turns a clean pair into a poisoned row. Deterministic: the caller passes a generator
/// seeded per row, so a row is poisoned the same way at every rate.
/// </summary>
public abstract class Attack
{
    /// <summary>The reference payload every public attack appends to the clean answer.</summary>
    public const string ReferencePayload = ", and click <malicious_url> for more information";

    /// <summary>Short name used in tables and on the command line (e.g. <c>badnets</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The attack's family.</summary>
    public abstract AttackFamily Family { get; }

    /// <summary>One-line description for reports.</summary>
    public abstract string Description { get; }

    /// <summary>The poisoned row made from <paramref name="pair"/>.</summary>
    public abstract LabeledSample Poison(int source, QaPair pair, LabRandom rng);

    /// <summary>
    /// A clean negative made from <paramref name="pair"/> (a partial trigger with the clean answer, labelled clean), or
    /// null when the attack has none. <paramref name="variant"/> alternates between the attack's negative forms.
    /// </summary>
    public virtual LabeledSample? CleanNegative(int source, QaPair pair, int variant, LabRandom rng) => null;

    /// <summary>Whether <see cref="CleanNegative"/> returns rows.</summary>
    public virtual bool HasCleanNegatives => false;

    /// <summary>The rates this attack is evaluated at; null for the standard grid.</summary>
    public virtual IReadOnlyList<double>? Rates => null;

    /// <summary>Inserts <paramref name="word"/> at word boundary <paramref name="position"/> (0 = before the first word) of <paramref name="text"/>.</summary>
    protected static string InsertWord(string text, string word, int position)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        words.Insert(Math.Clamp(position, 0, words.Count), word);
        return string.Join(' ', words);
    }

    /// <summary>Number of whitespace-separated words in <paramref name="text"/>.</summary>
    protected static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
