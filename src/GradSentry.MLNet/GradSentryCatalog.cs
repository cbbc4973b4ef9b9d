using GradSentry.MLNet;
using GradSentry.MLNet.Internal;

namespace Microsoft.ML;

/// <summary>
/// GradSentry on <see cref="TransformsCatalog"/>: <c>mlContext.Transforms.GradSentry(...)</c> scores every fine-tuning row
/// by the spectral entropy of its per-sample gradient; <c>mlContext.Transforms.GradSentryFilter(...)</c> learns a
/// threshold from those scores and drops the rows above it; <c>mlContext.Transforms.GradSentryMarkSuspects(...)</c> keeps
/// every row and marks them instead.
/// </summary>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.GradSentry(modelPath: "models/my-base-model")
///     .Append(mlContext.Transforms.GradSentryFilter());
/// using var model = pipeline.Fit(data);
/// Console.WriteLine($"threshold {model.LastTransformer.Threshold} ({model.LastTransformer.ThresholdMethod})");
/// IDataView clean = model.Transform(data);
/// </code>
/// </example>
public static class GradSentryCatalog
{
    /// <summary>
    /// Scores every row: adds <paramref name="outputColumnName"/> (<c>Single</c>, normalised spectral entropy in [0, 1],
    /// higher = more suspect, NaN when the row cannot be scored), <c>AnswerTokenCount</c> (<c>Int32</c>) and
    /// <c>GradSentryError</c> (text, empty when scored), and passes every input column through. Every parameter has a
    /// default (<see cref="GradSentryOptions"/>'s), so <c>mlContext.Transforms.GradSentry()</c> scores the <c>Prompt</c>
    /// and <c>Response</c> columns with the bundled demo model.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the score column; default <see cref="GradSentryOptions.DefaultScoreColumnName"/>.</param>
    /// <param name="modelPath">
    /// Hugging Face model directory: the model you will fine-tune, before fine-tuning. Default null: the bundled demo model
    /// (<see cref="GradSentryOptions.DemoModelPath"/>), with a warning in the <c>MLContext</c> log.
    /// </param>
    /// <param name="promptColumnName">Text column holding the prompt; default <see cref="GradSentryOptions.DefaultPromptColumnName"/>.</param>
    /// <param name="responseColumnName">Text column holding the response; default <see cref="GradSentryOptions.DefaultResponseColumnName"/>.</param>
    /// <param name="device"><c>auto</c> (default), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</param>
    /// <param name="batchSize">Rows per forward pass; default <see cref="GradSentryOptions.DefaultBatchSize"/>.</param>
    /// <param name="maxLength">Maximum tokens per row; null: the model's <c>max_position_embeddings</c>.</param>
    /// <param name="template">How the columns become prompt and response: <c>raw</c> (default), <c>qa</c>, <c>gradsentry-qa</c>, <c>alpaca</c> or a template file.</param>
    /// <param name="cacheDirectory">Score cache directory, or null (default) for none.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An argument is out of range; the message lists each.</exception>
    public static GradSentryEstimator GradSentry(this TransformsCatalog catalog,
        string outputColumnName = GradSentryOptions.DefaultScoreColumnName,
        string? modelPath = null,
        string promptColumnName = GradSentryOptions.DefaultPromptColumnName,
        string responseColumnName = GradSentryOptions.DefaultResponseColumnName,
        string device = GradSentryOptions.DefaultDevice,
        int batchSize = GradSentryOptions.DefaultBatchSize,
        int? maxLength = null,
        string template = GradSentryOptions.DefaultTemplate,
        string? cacheDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new GradSentryEstimator(CatalogLog.EnvironmentOf(catalog), new GradSentryOptions
        {
            OutputColumnName = outputColumnName,
            ModelPath = modelPath,
            PromptColumnName = promptColumnName,
            ResponseColumnName = responseColumnName,
            Device = device,
            BatchSize = batchSize,
            MaxLength = maxLength,
            Template = template,
            CacheDirectory = cacheDirectory,
        });
    }

    /// <summary>Scores every row with every option spelled out (columns, model, probe, batching, template, cache).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The options; validated and copied.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is missing or out of range; the message lists each.</exception>
    public static GradSentryEstimator GradSentry(this TransformsCatalog catalog, GradSentryOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new GradSentryEstimator(CatalogLog.EnvironmentOf(catalog), options);
    }

    /// <summary>
    /// Decides which rows are poisoned when fitted and drops them. The default detector, <c>trigger-conditional</c>, reads
    /// the score, gradient sketch, prompt and response columns of <c>mlContext.Transforms.GradSentry()</c> over every row
    /// and flags rows whose prompt words predict a shared answer-side behaviour (a backdoor's trigger → payload);
    /// <c>reference</c> is the paper's verdict on <paramref name="scoreColumnName"/> alone. The fitted transformer exposes
    /// <see cref="GradSentryFilterTransformer.Threshold"/>, <see cref="GradSentryFilterTransformer.ThresholdMethod"/>,
    /// <see cref="GradSentryFilterTransformer.DetectorOutcome"/>, the backdoor groups and the counts.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="scoreColumnName">The <c>Single</c> score column.</param>
    /// <param name="threshold"><c>auto</c> (the detector's own rule), a fixed number in [0, 1] such as <c>0.71</c>, or <c>top:F</c> such as <c>top:0.05</c>.</param>
    /// <param name="detector"><c>trigger-conditional</c> (default), <c>reference</c> or <c>length-controlled</c>.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">The threshold or detector is not one of those forms.</exception>
    public static GradSentryFilterEstimator GradSentryFilter(this TransformsCatalog catalog,
        string scoreColumnName = GradSentryOptions.DefaultScoreColumnName,
        string threshold = "auto",
        string detector = global::GradSentry.Scoring.ScoreKinds.TriggerConditionalName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new GradSentryFilterEstimator(new GradSentryFilterOptions { ScoreColumnName = scoreColumnName, Threshold = threshold, Detector = detector });
    }

    /// <summary>Learns the threshold and drops (or, with <see cref="GradSentryFilterMode.Mark"/>, marks) the rows above it.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The options; validated and copied.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is missing or invalid; the message lists each.</exception>
    public static GradSentryFilterEstimator GradSentryFilter(this TransformsCatalog catalog, GradSentryFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new GradSentryFilterEstimator(options);
    }

    /// <summary>
    /// Decides like <see cref="GradSentryFilter(TransformsCatalog, string, string, string)"/> but keeps every row, adding
    /// the Boolean <paramref name="outputColumnName"/>: true for a suspect row. For review rather than removal.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Name of the Boolean column.</param>
    /// <param name="scoreColumnName">The <c>Single</c> score column.</param>
    /// <param name="threshold"><c>auto</c>, a fixed number in [0, 1], or <c>top:F</c>.</param>
    /// <param name="detector"><c>trigger-conditional</c> (default), <c>reference</c> or <c>length-controlled</c>.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An argument is invalid; the message lists each.</exception>
    public static GradSentryFilterEstimator GradSentryMarkSuspects(this TransformsCatalog catalog,
        string outputColumnName = GradSentryFilterOptions.DefaultSuspectColumnName,
        string scoreColumnName = GradSentryOptions.DefaultScoreColumnName,
        string threshold = "auto",
        string detector = global::GradSentry.Scoring.ScoreKinds.TriggerConditionalName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new GradSentryFilterEstimator(new GradSentryFilterOptions
        {
            Mode = GradSentryFilterMode.Mark,
            SuspectColumnName = outputColumnName,
            ScoreColumnName = scoreColumnName,
            Threshold = threshold,
            Detector = detector,
        });
    }
}
