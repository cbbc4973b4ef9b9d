namespace GradSentry.Lab.Data;

/// <summary>What a row of an evaluation dataset is. Only <see cref="Poisoned"/> rows are positives.</summary>
public enum SampleKind
{
    /// <summary>An untouched clean row.</summary>
    Clean = 0,

    /// <summary>A row the attack changed (trigger and/or payload): a positive.</summary>
    Poisoned = 1,

    /// <summary>A CBA clean negative: one trigger part, no payload; labelled clean.</summary>
    CleanNegative = 2,

    /// <summary>The clean long-answer control: a benign sentence appended to the answer; labelled clean.</summary>
    LongAnswerControl = 3,

    /// <summary>A clean row whose answer ends in a repeated boilerplate sentence (no trigger).</summary>
    Boilerplate = 4,
}
