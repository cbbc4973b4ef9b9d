using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using GradSentry.Data;
using GradSentry.MLNet.Internal;
using GradSentry.Scoring;

namespace GradSentry.MLNet;

/// <summary>
/// Options of <see cref="Microsoft.ML.GradSentryCatalog.GradSentry(Microsoft.ML.TransformsCatalog, GradSentryOptions)"/>:
/// which columns to read and write, the model, the probe and the batching. Every default is the reference's.
/// </summary>
/// <remarks>
/// Validated by <see cref="Validate"/> (called by the estimator): every problem is listed in one
/// <see cref="ValidationException"/>. The score column is <see cref="Microsoft.ML.Data.NumberDataViewType.Single"/>,
/// the answer-token column <see cref="Microsoft.ML.Data.NumberDataViewType.Int32"/>, the error column text.
/// </remarks>
public sealed class GradSentryOptions : IValidatableObject
{
    /// <summary>Default name of the score column.</summary>
    public const string DefaultScoreColumnName = "GradientSpectralEntropy";

    /// <summary>Default name of the answer-token column.</summary>
    public const string DefaultAnswerTokenCountColumnName = "AnswerTokenCount";

    /// <summary>Default name of the error column.</summary>
    public const string DefaultErrorColumnName = "GradSentryError";

    /// <summary>Default name of the gradient sketch column.</summary>
    public const string DefaultSketchColumnName = "GradientSketch";

    /// <summary>Length of the gradient sketch vector: the lm_head gradient projected to 32 × 32.</summary>
    public const int SketchLength = GradSentry.Scoring.GradientSketch.Size * GradSentry.Scoring.GradientSketch.Size;

    /// <summary>Default name of the prompt column.</summary>
    public const string DefaultPromptColumnName = "Prompt";

    /// <summary>Default name of the response column.</summary>
    public const string DefaultResponseColumnName = "Response";

    /// <summary>Default device: CUDA when available, else the CPU.</summary>
    public const string DefaultDevice = "auto";

    /// <summary>Default rows per forward pass.</summary>
    public const int DefaultBatchSize = 16;

    /// <summary>Default template: the two columns verbatim.</summary>
    public const string DefaultTemplate = PromptTemplates.RawName;

    /// <summary>
    /// The bundled demo model (a 1.4M-parameter Llama, <c>models/tiny-llama</c> beside the application, copied there by
    /// the package): used when <see cref="ModelPath"/> is null, with a warning in the <c>MLContext</c> log. It lets the
    /// pipeline run out of the box; its scores say nothing about the model you will fine-tune.
    /// </summary>
    public static string DemoModelPath => DemoModel.Path;

    /// <summary>The warning logged when the demo model scores (the tool prints the same words).</summary>
    public const string DemoModelWarning = GradSentry.DemoModel.Warning;

    /// <summary>The score column: normalised spectral entropy in [0, 1], higher = more suspect; NaN when the row could not be scored.</summary>
    /// <value>Default <c>GradientSpectralEntropy</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string OutputColumnName { get; set; } = DefaultScoreColumnName;

    /// <summary>
    /// The column holding each row's lm_head gradient sketch (<c>Single</c> vector of <see cref="SketchLength"/>: the
    /// per-sample gradient projected to 32 × 32), which <c>GradSentryFilter</c>'s trigger-conditional (default) and
    /// length-controlled detectors compare across rows; all zeros when the row could not be scored. Empty to leave it
    /// out (only the reference score is then possible downstream). Needs the <c>lm_head</c> target.
    /// </summary>
    /// <value>Default <c>GradientSketch</c>.</value>
    public string SketchColumnName { get; set; } = DefaultSketchColumnName;

    /// <summary>True when <see cref="SketchColumnName"/> is set: the sketch is computed and added.</summary>
    [JsonIgnore]
    public bool AddsSketch => !string.IsNullOrEmpty(SketchColumnName);

    /// <summary>The column holding T, the supervised answer tokens (response + EOS); 0 when the row could not be encoded.</summary>
    /// <value>Default <c>AnswerTokenCount</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string AnswerTokenCountColumnName { get; set; } = DefaultAnswerTokenCountColumnName;

    /// <summary>The column saying why a row has no score (empty when it has one).</summary>
    /// <value>Default <c>GradSentryError</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string ErrorColumnName { get; set; } = DefaultErrorColumnName;

    /// <summary>The text column holding the prompt (or the question / instruction, see <see cref="Template"/>).</summary>
    /// <value>Default <c>Prompt</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string PromptColumnName { get; set; } = DefaultPromptColumnName;

    /// <summary>The text column holding the response: the tokens whose loss is differentiated.</summary>
    /// <value>Default <c>Response</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string ResponseColumnName { get; set; } = DefaultResponseColumnName;

    /// <summary>
    /// Hugging Face model directory (<c>config.json</c>, <c>model.safetensors</c>, tokenizer files). The model to score
    /// with is the one you will fine-tune, before fine-tuning.
    /// </summary>
    /// <value>
    /// Default null: the bundled demo model (<see cref="DemoModelPath"/>), with a warning in the <c>MLContext</c> log;
    /// fine for trying the pipeline out, meaningless as a verdict on your data.
    /// </value>
    public string? ModelPath { get; set; }

    /// <summary>PEFT adapter directory (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>), or null.</summary>
    /// <value>Default null: an adapter lying in the model directory is loaded, if any.</value>
    public string? AdapterPath { get; set; }

    /// <summary><c>auto</c> (CUDA when available, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>Default <c>auto</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string Device { get; set; } = DefaultDevice;

    /// <summary>
    /// Compute dtype of the model: <c>auto</c> (on the CPU bfloat16 for a 16-bit checkpoint when the CPU computes bfloat16
    /// natively, else float32 when it fits in memory, else bfloat16; on CUDA the checkpoint's <c>torch_dtype</c> when it is
    /// bfloat16 or float16; see <c>MemoryPlan.Choose</c>), <c>float32</c>, <c>bfloat16</c> or <c>float16</c>. The spectral math runs in float32/float64
    /// whatever this is.
    /// </summary>
    /// <value>Default <c>auto</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string DType { get; set; } = "auto";

    /// <summary>Hugging Face name of the parameter whose per-sample gradient is analysed.</summary>
    /// <value>Default <c>lm_head.weight</c> (closed form: no backward pass), as the reference.</value>
    [Required(AllowEmptyStrings = false)]
    public string TargetParameter { get; set; } = ProbeOptions.LmHead;

    /// <summary>k, the number of singular values in the entropy.</summary>
    /// <value>Default 16, as the reference.</value>
    [Range(2, 4096)]
    public int Rank { get; set; } = 16;

    /// <summary>A full weight matrix keeps its top-left <c>[:rows/SliceFactor, :cols/SliceFactor]</c> block; 1 keeps it whole.</summary>
    /// <value>Default 8, as the reference.</value>
    [Range(1, 1 << 20)]
    public int SliceFactor { get; set; } = 8;

    /// <summary>Rows per forward pass.</summary>
    /// <value>Default 16.</value>
    [Range(1, 1 << 16)]
    public int BatchSize { get; set; } = DefaultBatchSize;

    /// <summary>Upper bound on padded tokens (batch × length) per forward pass.</summary>
    /// <value>Default 16384.</value>
    [Range(2, int.MaxValue)]
    public int MaxTokensPerBatch { get; set; } = 16384;

    /// <summary>
    /// Rows a cursor reads ahead and scores together (sorted by length inside, so batches carry little padding). Memory
    /// per cursor is bounded by this many rows of text and scores.
    /// </summary>
    /// <value>Default 512, the engine's window.</value>
    [Range(1, 1 << 20)]
    public int ReadAhead { get; set; } = 512;

    /// <summary>Maximum sequence length in tokens; longer rows lose prompt tokens from the left.</summary>
    /// <value>Default null: the model's <c>max_position_embeddings</c>.</value>
    [Range(2, int.MaxValue)]
    public int? MaxLength { get; set; }

    /// <summary>
    /// How the two columns become prompt and response: <c>raw</c> (verbatim), <c>qa</c> (prompt column = question),
    /// <c>gradsentry-qa</c> (the reference QA prompt around the question), <c>alpaca</c> (prompt column = instruction),
    /// or the path of a template file whose fields are the two column names. <c>chat</c> needs a message list and is not
    /// available here.
    /// </summary>
    /// <value>Default <c>raw</c>.</value>
    [Required(AllowEmptyStrings = false)]
    public string Template { get; set; } = DefaultTemplate;

    /// <summary>Score cache directory: rows already probed with this model and probe are not probed again.</summary>
    /// <value>Default null: no cache.</value>
    public string? CacheDirectory { get; set; }

    /// <summary>
    /// Observed by every cursor of the transformed data (between rows and between batches): a cancelled token makes
    /// the next <c>MoveNext</c> or score getter throw <see cref="OperationCanceledException"/>. Not saved.
    /// </summary>
    /// <value>Default <see cref="CancellationToken.None"/>.</value>
    [JsonIgnore]
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Checks every option; lists all problems at once.</summary>
    /// <exception cref="ValidationException">An option is missing or out of range; the message lists each.</exception>
    public void Validate() => OptionsValidator.Validate(this, nameof(GradSentryOptions));

    /// <summary>True when <see cref="ModelPath"/> is null or empty: the bundled demo model scores.</summary>
    [JsonIgnore]
    public bool UsesDemoModel => string.IsNullOrEmpty(ModelPath);

    /// <summary>The model directory that scores: <see cref="ModelPath"/>, or <see cref="DemoModelPath"/> when that is null.</summary>
    internal string ResolvedModelPath => UsesDemoModel ? DemoModelPath : ModelPath!;

    /// <summary>A copy (the estimator keeps its own, so later changes to this object do not leak into it).</summary>
    public GradSentryOptions Clone() => (GradSentryOptions)MemberwiseClone();

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        string[] outputs = AddsSketch ? [OutputColumnName, AnswerTokenCountColumnName, ErrorColumnName, SketchColumnName] : [OutputColumnName, AnswerTokenCountColumnName, ErrorColumnName];
        if (outputs.All(n => !string.IsNullOrEmpty(n)) && outputs.Distinct(StringComparer.Ordinal).Count() != outputs.Length)
            yield return new ValidationResult(
                $"The output column names must differ (score '{OutputColumnName}', answer tokens '{AnswerTokenCountColumnName}', error '{ErrorColumnName}'{(AddsSketch ? $", sketch '{SketchColumnName}'" : "")}).",
                [nameof(OutputColumnName), nameof(AnswerTokenCountColumnName), nameof(ErrorColumnName), nameof(SketchColumnName)]);
        if (AddsSketch && !string.IsNullOrEmpty(TargetParameter) && TargetParameter != ProbeOptions.LmHead)
            yield return new ValidationResult(
                $"The gradient sketch is computed from the lm_head gradient; with TargetParameter '{TargetParameter}' set SketchColumnName to \"\" (the filter can then use only the reference detector).",
                [nameof(SketchColumnName), nameof(TargetParameter)]);
        if (!string.IsNullOrEmpty(PromptColumnName) && PromptColumnName == ResponseColumnName)
            yield return new ValidationResult($"The prompt and response columns must differ (both are '{PromptColumnName}').",
                [nameof(PromptColumnName), nameof(ResponseColumnName)]);
        if (!string.IsNullOrEmpty(Template) && TemplateError() is { } error)
            yield return new ValidationResult(error, [nameof(Template)]);
        if (!string.IsNullOrEmpty(DType) && DTypeError() is { } dtypeError)
            yield return new ValidationResult(dtypeError, [nameof(DType)]);
    }

    /// <summary>The template for these columns.</summary>
    internal IPromptTemplate CreateTemplate()
    {
        if (Template.Equals(PromptTemplates.ChatName, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("The 'chat' template needs a message list; in ML.NET give the prompt and response as two text columns (template 'raw').", nameof(Template));
        if (PromptTemplates.Names.Contains(Template.ToLowerInvariant()))
            return PromptTemplates.Create(Template, new TemplateOptions { PromptField = PromptColumnName, ResponseField = ResponseColumnName });
        return PromptTemplates.Resolve(Template);
    }

    string? DTypeError()
    {
        try
        {
            ComputeDTypes.Parse(DType);
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    string? TemplateError()
    {
        try
        {
            CreateTemplate();
            return null;
        }
        catch (ArgumentException ex)
        {
            return "Template: " + ex.Message;
        }
        catch (IOException ex)
        {
            return "Template: " + ex.Message;
        }
    }
}
