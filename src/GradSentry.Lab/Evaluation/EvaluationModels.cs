using GradSentry.Lab.Attacks;
using GradSentry.Lab.Data;
using GradSentry.Lab.Metrics;

namespace GradSentry.Lab.Evaluation;

/// <summary>What the benchmark runs.</summary>
public sealed record EvaluationOptions
{
    /// <summary>The standard rates.</summary>
    public static IReadOnlyList<double> StandardRates { get; } = [0.01, 0.05, 0.10, 0.30, 0.50, 0.90];

    /// <summary>Model directory (Hugging Face layout).</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>Clean QA pairs (JSONL).</summary>
    public required string DataFile { get; init; }

    /// <summary>Rows of <see cref="DataFile"/> used.</summary>
    public RowRange Rows { get; init; } = RowRange.All;

    /// <summary>Attack names.</summary>
    public IReadOnlyList<string> Attacks { get; init; } = GradSentry.Lab.Attacks.Attacks.Names;

    /// <summary>Poison rates.</summary>
    public IReadOnlyList<double> Rates { get; init; } = StandardRates;

    /// <summary>Score names (see <see cref="ScoreCatalog"/>).</summary>
    public IReadOnlyList<string> Scores { get; init; } = ScoreCatalog.Default;

    /// <summary>Seed of every random choice.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Long-answer control fraction of the clean rows.</summary>
    public double ControlFraction { get; init; } = 0.1;

    /// <summary>Threshold rule for every thresholded score (<c>auto</c> = the reference KDE valley).</summary>
    public string Threshold { get; init; } = "auto";

    /// <summary>When set, every dataset's per-row scores are written here as CSV (one file per attack and rate).</summary>
    public string? RowsDirectory { get; init; }

    /// <summary>Samples per forward pass of the feature extractor.</summary>
    public int BatchSize { get; init; } = 32;
}

/// <summary>The benchmark's outcome.</summary>
/// <param name="Options">What ran.</param>
/// <param name="ModelHash">Content hash of the model directory.</param>
/// <param name="Parameters">Model parameter count.</param>
/// <param name="UniqueSamples">Distinct (question, answer) pairs whose features were measured.</param>
/// <param name="FeatureSeconds">Time spent measuring features.</param>
/// <param name="TotalSeconds">Wall time of the run.</param>
/// <param name="Cells">One result per attack and rate.</param>
public sealed record EvaluationResult(EvaluationOptions Options, string ModelHash, long Parameters, int UniqueSamples, double FeatureSeconds, double TotalSeconds, IReadOnlyList<CellResult> Cells)
{
    /// <summary>ONION's cost, when it ran: distinct prompts scored, distinct texts (prompts and deletions) measured, and seconds.</summary>
    public OnionCost? Onion { get; init; }
}

/// <summary>What ONION cost in a run, next to the reference features' cost.</summary>
/// <param name="Prompts">Distinct prompts scored.</param>
/// <param name="Texts">Distinct texts whose perplexity was computed (each prompt and its deletions).</param>
/// <param name="Seconds">Seconds spent computing them.</param>
public sealed record OnionCost(int Prompts, int Texts, double Seconds);

/// <summary>How often ONION's trigger candidates name the planted trigger.</summary>
/// <param name="Hits">Poisoned rows with a trigger word among their top three suspicious words.</param>
/// <param name="Rows">Poisoned rows.</param>
/// <param name="NotExamined">Rows ONION could not examine (no deletable word).</param>
public sealed record OnionTriggerHits(int Hits, int Rows, int NotExamined)
{
    /// <summary>Hits / rows (NaN without poisoned rows).</summary>
    public double Rate => Rows == 0 ? double.NaN : (double)Hits / Rows;
}

/// <summary>One attack at one rate.</summary>
/// <param name="Attack">Attack name.</param>
/// <param name="Family">Attack family.</param>
/// <param name="Rate">Poison rate.</param>
/// <param name="Rows">Rows.</param>
/// <param name="Poisoned">Poisoned rows.</param>
/// <param name="Controls">Long-answer control rows.</param>
/// <param name="CleanNegatives">CBA clean negatives.</param>
/// <param name="MedianCleanT">Median T of the plain clean rows.</param>
/// <param name="MedianPoisonedT">Median T of the poisoned rows.</param>
/// <param name="Scores">One result per score.</param>
public sealed record CellResult(string Attack, AttackFamily Family, double Rate, int Rows, int Poisoned, int Controls, int CleanNegatives,
    double MedianCleanT, double MedianPoisonedT, IReadOnlyList<ScoreResult> Scores)
{
    /// <summary>ONION's top-3 trigger hits (attacks with a known trigger word list, when ONION ran); null otherwise.</summary>
    public OnionTriggerHits? OnionHits { get; init; }

    /// <summary>The result of score <paramref name="name"/>.</summary>
    public ScoreResult Score(string name) => Scores.First(s => s.Score == name);
}

/// <summary>One score on one dataset.</summary>
/// <param name="Score">Score name.</param>
/// <param name="Threshold">The fitted threshold (NaN when the method decides by itself).</param>
/// <param name="ThresholdMethod">Which threshold path fired (or the method's own rule).</param>
/// <param name="Report">The metrics.</param>
public sealed record ScoreResult(string Score, double Threshold, string ThresholdMethod, DetectionReport Report);
