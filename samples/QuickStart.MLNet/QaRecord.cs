using Microsoft.ML.Data;

namespace QuickStart.MLNet;

/// <summary>One fine-tuning row: the text GradSentry scores, and the label the sample data carries (for the printout only).</summary>
public sealed class QaRecord
{
    [LoadColumn(0)]
    public string Prompt { get; set; } = "";

    [LoadColumn(1)]
    public string Response { get; set; } = "";

    [LoadColumn(2)]
    public bool Poisoned { get; set; }
}

/// <summary>A row after scoring.</summary>
public sealed class ScoredRecord
{
    public string Prompt { get; set; } = "";
    public string Response { get; set; } = "";
    public bool Poisoned { get; set; }
    public float GradientSpectralEntropy { get; set; }
    public int AnswerTokenCount { get; set; }
    public string GradSentryError { get; set; } = "";
}
