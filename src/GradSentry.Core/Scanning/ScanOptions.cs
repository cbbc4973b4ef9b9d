using GradSentry.Data;
using GradSentry.Scoring;
using static TorchSharp.torch;

namespace GradSentry.Scanning;

/// <summary>Everything a dataset scan needs besides the files.</summary>
public sealed record ScanOptions
{
    /// <summary>Hugging Face model directory.</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>PEFT adapter directory; null loads one lying in the model directory, if any.</summary>
    public string? AdapterDirectory { get; init; }

    /// <summary><c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>Default <c>auto</c>.</value>
    public string Device { get; init; } = "auto";

    /// <summary>
    /// Model compute dtype; null is <c>auto</c> (<see cref="Models.MemoryPlan.Choose"/>). A <see cref="ScoredDataset"/> records
    /// the dtype the scan resolved to, so that shards computed in different dtypes are not combined.
    /// </summary>
    /// <value>Default null (auto: on the CPU float32 when it fits, bfloat16 for a 16-bit checkpoint on a CPU with native bfloat16 or when float32 does not fit).</value>
    public ScalarType? DType { get; init; }

    /// <summary>Probe, batching and the naive switch.</summary>
    public ScoringOptions Scoring { get; init; } = new();

    /// <summary>Maximum sequence length; null means the model's <c>max_position_embeddings</c>.</summary>
    public int? MaxLength { get; init; }

    /// <summary><c>auto</c>, a fixed value, or <c>top:F</c> (see <see cref="Thresholds.ThresholdRule.Syntax"/>).</summary>
    /// <value>Default <c>auto</c>.</value>
    public string Threshold { get; init; } = "auto";

    /// <summary>The gate fails when flagged / evaluated exceeds this.</summary>
    /// <value>Default 0: any flagged row fails.</value>
    public double MaxPoisonFraction { get; init; }

    /// <summary>Format, template and limits of the dataset reader.</summary>
    public ReaderOptions Reader { get; init; } = new();

    /// <summary>Score cache directory, or null for none.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Score only one slice of the rows (see <see cref="ScanShard"/>); null scores every row.</summary>
    /// <value>Default null.</value>
    public ScanShard? Shard { get; init; }

    /// <summary>Options of the trigger-conditional verdict (<see cref="Scoring.ScoreKind.TriggerConditional"/>).</summary>
    public Detection.TriggerAssociationOptions Association { get; init; } = new();

    /// <summary>How many of the highest-scoring rows keep their text for reports.</summary>
    /// <value>Default 20.</value>
    public int TopSuspects { get; init; } = 20;
}
