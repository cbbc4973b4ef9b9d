namespace GradSentry.Scoring;

/// <summary>The score of one row, or why it has none.</summary>
/// <param name="Id">The input's identifier.</param>
/// <param name="Score">Normalised spectral entropy in [0, 1] (NaN when <see cref="Error"/> is set). Higher = more suspect.</param>
/// <param name="AnswerTokens">T (0 when the row could not be encoded).</param>
/// <param name="Loss">Mean answer cross-entropy.</param>
/// <param name="GradientNorm">Frobenius norm of the whole per-sample gradient.</param>
/// <param name="SingularValues">Top-k singular values of the sliced gradient.</param>
/// <param name="PromptTokensDropped">Prompt tokens cut from the left to fit the maximum length.</param>
/// <param name="FromCache">True when the result came from the score cache.</param>
/// <param name="Error">Why the row has no score, or null.</param>
public sealed record SampleScore(
    long Id,
    double Score,
    int AnswerTokens,
    double Loss,
    double GradientNorm,
    IReadOnlyList<double> SingularValues,
    int PromptTokensDropped,
    bool FromCache,
    string? Error)
{
    /// <summary>Which score <see cref="Score"/> holds.</summary>
    public ScoreKind Kind { get; init; } = ScoreKind.Reference;

    /// <summary>The reference GradSentry score (equal to <see cref="Score"/> when <see cref="Kind"/> is the reference; NaN without a score).</summary>
    public double ReferenceScore { get; init; } = double.NaN;

    /// <summary>The row's gradient sketch (length-controlled scoring only), else null.</summary>
    public float[]? Sketch { get; init; }

    /// <summary>ONION's trigger candidates: the row's most suspicious prompt words, most suspicious first (null for other scores).</summary>
    public IReadOnlyList<Detection.WordSuspicion>? TriggerCandidates { get; init; }

    /// <summary>
    /// Why the detector could not examine the row although it has a score (ONION on a prompt with no deletable word: score
    /// 0). Reports list such rows (GS2004) so that a pass is never silent about them; null when the row was examined.
    /// </summary>
    public string? NotExamined { get; init; }

    /// <summary>The prompt's perplexity under the model (ONION only; NaN otherwise).</summary>
    public double PromptPerplexity { get; init; } = double.NaN;

    /// <summary>True when the row has a score.</summary>
    public bool IsScored => Error is null;

    /// <summary>A row without a score.</summary>
    public static SampleScore Failed(long id, string error, int answerTokens = 0) =>
        new(id, double.NaN, answerTokens, double.NaN, double.NaN, [], 0, false, error);
}
