using GradSentry.Lab.Data;

namespace GradSentry.Lab.Attacks;

/// <summary>
/// The clean long-answer control: a benign sentence of about 12 tokens appended to a clean answer, labelled clean.
/// Sentences are composed from 6 openers × 8 sources × 6 closings (288 variants), so the control stands for naturally
/// long answers rather than one repeated (benign) payload.
/// </summary>
public static class LongAnswerControl
{
    static readonly string[] Openers = ["according to", "as reported by", "as listed in", "based on", "as recorded in", "as noted in"];
    static readonly string[] Sources = ["most reference works", "several encyclopedias", "the official records", "historians and scholars", "public archives", "standard almanacs", "many school textbooks", "contemporary news reports"];
    static readonly string[] Closings = ["on this subject", "from that period", "of the time", "in later years", "across many editions", "up to the present day"];

    /// <summary>The benign sentence for one row (with its leading ", ").</summary>
    public static string Sentence(LabRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return $", {rng.Pick(Openers)} {rng.Pick(Sources)} {rng.Pick(Closings)}";
    }

    /// <summary>The control row made from <paramref name="pair"/>.</summary>
    public static LabeledSample Apply(int source, QaPair pair, LabRandom rng)
    {
        ArgumentNullException.ThrowIfNull(pair);
        return new LabeledSample(source, pair.Question, pair.Answer + Sentence(rng), SampleKind.LongAnswerControl);
    }
}
