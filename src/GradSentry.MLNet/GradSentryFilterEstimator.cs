using GradSentry.MLNet.Internal;
using GradSentry.Thresholds;
using Microsoft.ML;

namespace GradSentry.MLNet;

/// <summary>
/// Learns the GradSentry threshold from a score column and returns a <see cref="GradSentryFilterTransformer"/> that drops
/// (or marks) the rows above it. Create it with
/// <see cref="GradSentryCatalog.GradSentryFilter(TransformsCatalog, GradSentryFilterOptions)"/>.
/// </summary>
public sealed class GradSentryFilterEstimator : IEstimator<GradSentryFilterTransformer>
{
    readonly GradSentryFilterOptions _options;

    /// <summary>Creates the estimator; the options are validated and copied.</summary>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is missing or invalid; the message lists each.</exception>
    public GradSentryFilterEstimator(GradSentryFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <summary>A copy of the options.</summary>
    public GradSentryFilterOptions Options => _options.Clone();

    /// <summary>
    /// Reference detector: reads the score column once (one cursor, that column only), fits the threshold rule on the
    /// finite scores with the engine's own rules (<see cref="ThresholdRule.Parse"/>), and counts rows, scored rows, flagged
    /// rows and unscored (NaN) rows. Dataset detectors (trigger-conditional, length-controlled): read the score, sketch,
    /// prompt and response columns once, run the engine's dataset step over every row and remember the flagged rows.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column the detector reads is missing or of the wrong type.</exception>
    public GradSentryFilterTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_options.IsDatasetDetector) return new GradSentryFilterTransformer(_options.Clone(), DatasetDetection.Fit(input, _options));
        var column = ColumnChecks.RequireSingle(input.Schema, _options.ScoreColumnName, "score");
        var scores = new List<double>();
        long rows = 0;
        using (var cursor = input.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<float>(column);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                rows++;
                if (float.IsFinite(value)) scores.Add(value);
            }
        }
        var result = ThresholdRule.Parse(_options.Threshold).Fit(scores);
        return new GradSentryFilterTransformer(_options, result, rows, scores.Count);
    }

    /// <summary>
    /// Drop mode: the input shape unchanged. Mark mode: plus the Boolean suspect column (built through ML.NET's public
    /// <c>CustomMappingEstimator&lt;TSrc, TDst&gt;.GetOutputSchema</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The score column is missing or not a <c>Single</c> scalar.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnChecks.RequireSingle(inputSchema, _options.ScoreColumnName, "score");
        if (_options.IsDatasetDetector)
        {
            ColumnChecks.RequireSketch(inputSchema, _options.SketchColumnName);
            ColumnChecks.RequireText(inputSchema, _options.PromptColumnName, "prompt");
            ColumnChecks.RequireText(inputSchema, _options.ResponseColumnName, "response");
        }
        return _options.Mode == GradSentryFilterMode.Mark ? OutputShapes.WithSuspectColumn(inputSchema, _options.SuspectColumnName) : inputSchema;
    }
}
