using System.ComponentModel.DataAnnotations;
using GradSentry.MLNet.Internal;
using GradSentry.Thresholds;

namespace GradSentry.MLNet;

/// <summary>
/// Options of <see cref="Microsoft.ML.GradSentryCatalog.GradSentryFilter(Microsoft.ML.TransformsCatalog, GradSentryFilterOptions)"/>:
/// which score column to read, how to learn the threshold, and whether to drop or mark suspect rows.
/// </summary>
public sealed class GradSentryFilterOptions : IValidatableObject
{
    /// <summary>Default name of the Boolean column of <see cref="GradSentryFilterMode.Mark"/>.</summary>
    public const string DefaultSuspectColumnName = "IsSuspect";

    /// <summary>
    /// The detector that decides: <c>trigger-conditional</c> (default: rows whose prompt words predict a shared
    /// answer-side behaviour, a backdoor's trigger → payload association; repeated boilerplate without a trigger
    /// passes), <c>reference</c> (the paper's verdict: the score column against the threshold) or <c>length-controlled</c>
    /// (similarity of a row's gradient to its nearest neighbours). The two dataset detectors read the prompt, response and
    /// sketch columns that <c>mlContext.Transforms.GradSentry()</c> adds, learn over every row in <c>Fit</c>, and the fitted
    /// filter removes (or marks) the rows they flagged, matched by prompt and response text; rows <c>Fit</c> never saw pass.
    /// </summary>
    /// <value>Default <c>trigger-conditional</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string Detector { get; set; } = GradSentry.Scoring.ScoreKinds.TriggerConditionalName;

    /// <summary>The prompt text column the dataset detectors read (the trigger side).</summary>
    /// <value>Default <c>Prompt</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string PromptColumnName { get; set; } = GradSentryOptions.DefaultPromptColumnName;

    /// <summary>The response text column the dataset detectors read (the answer side).</summary>
    /// <value>Default <c>Response</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string ResponseColumnName { get; set; } = GradSentryOptions.DefaultResponseColumnName;

    /// <summary>The gradient sketch column the dataset detectors read.</summary>
    /// <value>Default <c>GradientSketch</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string SketchColumnName { get; set; } = GradSentryOptions.DefaultSketchColumnName;

    /// <summary>The detector <see cref="Detector"/> names.</summary>
    internal GradSentry.Scoring.ScoreKind DetectorKind => GradSentry.Scoring.ScoreKinds.Parse(Detector);

    /// <summary>True when the detector compares rows (learns over the whole dataset in <c>Fit</c>).</summary>
    internal bool IsDatasetDetector => GradSentry.Scoring.ScoreKinds.Capabilities(DetectorKind).WholeDataset;

    /// <summary>The <see cref="Microsoft.ML.Data.NumberDataViewType.Single"/> score column to read.</summary>
    /// <value>Default <c>GradientSpectralEntropy</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string ScoreColumnName { get; set; } = GradSentryOptions.DefaultScoreColumnName;

    /// <summary>
    /// How the threshold τ is learned from the scores: <c>auto</c> (the detector's own rule: above 0.5 for
    /// trigger-conditional, the reference's reliable KDE valley falling back to 0.7 for the others), a fixed number in [0, 1] such as <c>0.71</c>, or <c>top:F</c> to flag the top fraction F, e.g. <c>top:0.05</c>.
    /// A row is suspect when its score is strictly greater than τ.
    /// </summary>
    /// <value>Default <c>auto</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string Threshold { get; set; } = "auto";

    /// <summary>Drop suspect rows, or keep them all and mark them.</summary>
    /// <value>Default <see cref="GradSentryFilterMode.Drop"/>.</value>
    [EnumDataType(typeof(GradSentryFilterMode))]
    public GradSentryFilterMode Mode { get; set; } = GradSentryFilterMode.Drop;

    /// <summary>The Boolean column added in <see cref="GradSentryFilterMode.Mark"/> mode.</summary>
    /// <value>Default <c>IsSuspect</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string SuspectColumnName { get; set; } = DefaultSuspectColumnName;

    /// <summary>
    /// In <see cref="GradSentryFilterMode.Drop"/> mode, also drop rows whose score is NaN (rows that could not be scored).
    /// They never count as suspect and never enter the threshold.
    /// </summary>
    /// <value>Default false: unscored rows are kept (check the scorer's error column).</value>
    public bool DropUnscoredRows { get; set; }

    /// <summary>Checks every option; lists all problems at once.</summary>
    /// <exception cref="ValidationException">An option is missing or invalid; the message lists each.</exception>
    public void Validate() => OptionsValidator.Validate(this, nameof(GradSentryFilterOptions));

    /// <summary>A copy.</summary>
    public GradSentryFilterOptions Clone() => (GradSentryFilterOptions)MemberwiseClone();

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        var kind = GradSentry.Scoring.ScoreKinds.Default;
        if (!string.IsNullOrEmpty(Detector) && !GradSentry.Scoring.ScoreKinds.TryParse(Detector, out kind, out var detectorError))
            yield return new ValidationResult("Detector: " + detectorError, [nameof(Detector)]);
        else if (!string.IsNullOrEmpty(Detector) && kind == GradSentry.Scoring.ScoreKind.Onion)
            // The scoring transform has no ONION column yet: thresholding the gradient score under ONION's name would be a lie.
            yield return new ValidationResult(
                "Detector: 'onion' is not available in ML.NET yet (the GradSentry() transform computes gradient scores only); use 'dotnet gradsentry scan --score onion' or the MSBuild gate (GradSentry_Score=onion), or choose 'trigger-conditional', 'reference' or 'length-controlled'.",
                [nameof(Detector)]);
        if (!string.IsNullOrEmpty(Threshold) && !ThresholdRule.TryParse(Threshold, out _, out var error))
            yield return new ValidationResult("Threshold: " + error, [nameof(Threshold)]);
        if (Mode == GradSentryFilterMode.Mark && SuspectColumnName == ScoreColumnName)
            yield return new ValidationResult($"The suspect column must not replace the score column ('{ScoreColumnName}').", [nameof(SuspectColumnName)]);
    }
}
