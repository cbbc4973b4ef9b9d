using GradSentry.MLNet.Internal;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace GradSentry.MLNet;

/// <summary>
/// Estimator for <see cref="GradSentryTransformer"/>; create it with
/// <see cref="GradSentryCatalog.GradSentry(TransformsCatalog, GradSentryOptions)"/>. Nothing is learned: <see cref="Fit"/>
/// checks the input's columns and loads the model (the returned transformer owns it and must be disposed).
/// </summary>
public sealed class GradSentryEstimator : IEstimator<GradSentryTransformer>
{
    readonly GradSentryOptions _options;
    readonly IHostEnvironment? _environment;

    /// <summary>Creates the estimator; the options are validated and copied.</summary>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is missing or out of range; the message lists each.</exception>
    public GradSentryEstimator(GradSentryOptions options)
        : this(null, options)
    {
    }

    /// <summary>The catalog's form: warnings (the demo model) go to <paramref name="environment"/>'s log.</summary>
    internal GradSentryEstimator(IHostEnvironment? environment, GradSentryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        _environment = environment;
    }

    /// <summary>A copy of the options.</summary>
    public GradSentryOptions Options => _options.Clone();

    /// <summary>
    /// Checks the prompt and response columns and loads the model. With no <see cref="GradSentryOptions.ModelPath"/>, the
    /// bundled demo model loads and a warning goes to the <c>MLContext</c> log.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt or response column is missing or not text; the message names it and the type found.</exception>
    /// <exception cref="IOException">The model cannot be loaded (the message names the file).</exception>
    public GradSentryTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ColumnChecks.RequireText(input.Schema, _options.PromptColumnName, "prompt");
        ColumnChecks.RequireText(input.Schema, _options.ResponseColumnName, "response");
        if (_options.UsesDemoModel)
            CatalogLog.Warning(_environment, DemoModel.Warning);
        return GradSentryTransformer.Create(_options);
    }

    /// <summary>
    /// The input shape plus the score (<c>Single</c>), answer-token (<c>Int32</c>) and error (<c>String</c>) columns,
    /// built through ML.NET's public <c>CustomMappingEstimator&lt;TSrc, TDst&gt;.GetOutputSchema</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt or response column is missing or not a text scalar; the message names it and the type found.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnChecks.RequireText(inputSchema, _options.PromptColumnName, "prompt");
        ColumnChecks.RequireText(inputSchema, _options.ResponseColumnName, "response");
        var shape = OutputShapes.WithScoreColumns(inputSchema, _options.OutputColumnName, _options.AnswerTokenCountColumnName, _options.ErrorColumnName);
        return _options.AddsSketch ? OutputShapes.WithSketchColumn(shape, _options.SketchColumnName) : shape;
    }
}
