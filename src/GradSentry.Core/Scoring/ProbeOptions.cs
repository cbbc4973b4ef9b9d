namespace GradSentry.Scoring;

/// <summary>What to take the per-sample gradient of, and how to summarise its spectrum.</summary>
public sealed record ProbeOptions
{
    /// <summary>The reference target: the output projection.</summary>
    public const string LmHead = "lm_head.weight";

    /// <summary>Hugging Face name of the target parameter.</summary>
    /// <value>Default <c>lm_head.weight</c> (the embedding when embeddings are tied).</value>
    public string TargetParameter { get; init; } = LmHead;

    /// <summary>k, the number of singular values in the entropy.</summary>
    /// <value>Default 16, as the reference.</value>
    public int Rank { get; init; } = 16;

    /// <summary>
    /// A full weight matrix keeps its top-left block <c>[:rows/SliceFactor, :cols/SliceFactor]</c>
    /// (integer division); 1 keeps the whole matrix. LoRA matrices are always used whole.
    /// </summary>
    /// <value>Default 8, as the reference.</value>
    public int SliceFactor { get; init; } = 8;

    /// <summary>
    /// Most elements of the <c>[answer tokens, vocabulary]</c> output-layer tensors (logits, softmax errors) the closed
    /// form holds at once: a batch whose answer tokens × vocabulary exceed it goes through the output layer in groups of
    /// samples (a single sample always goes whole). Bounds memory for large vocabularies and long answers; the scores do
    /// not depend on it beyond float rounding, so it is not part of the score cache key.
    /// </summary>
    /// <value>Default 2²⁵ (128 MB per float32 tensor): e.g. 1,048 answer tokens at a 32,000-token vocabulary, 220 at 152,064.</value>
    public long MaxOutputElements { get; init; } = 1L << 25;

    /// <summary>Checks the values that do not depend on the model.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(TargetParameter)) throw new ArgumentException("the target parameter name is empty.");
        if (Rank < 2) throw new ArgumentException($"rank k must be at least 2 (got {Rank}): the entropy of one singular value is always 0.");
        if (SliceFactor < 1) throw new ArgumentException($"slice factor must be at least 1 (got {SliceFactor}).");
        if (MaxOutputElements < 1) throw new ArgumentException($"max output elements must be at least 1 (got {MaxOutputElements}).");
    }
}
