using GradSentry.MLNet.Internal;
using GradSentry.Thresholds;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet;

/// <summary>
/// A fitted GradSentry filter. With the reference detector it is a learned threshold τ applied to the score column; with
/// a dataset detector (trigger-conditional, the default, or length-controlled) it is the set of rows the detector flagged
/// over the whole dataset in <c>Fit</c>, recognised again by their prompt and response text. In
/// <see cref="GradSentryFilterMode.Drop"/> mode suspect rows are dropped; in <see cref="GradSentryFilterMode.Mark"/> mode
/// every row is kept and a Boolean column (default <c>IsSuspect</c>) says which are suspect.
/// </summary>
/// <remarks>
/// A NaN score (a row the scorer could not score) is never suspect: it is kept, unless
/// <see cref="GradSentryFilterOptions.DropUnscoredRows"/> is set. A dataset detector judges the rows <c>Fit</c> saw; a
/// row it never saw is not suspect (fit the filter on the data you will fine-tune on). The dropping view skips rows as
/// its cursor advances, so its row count is unknown (<see cref="IDataView.GetRowCount"/> is null) and this transformer
/// is not a row-to-row mapper in Drop mode. ML.NET's model zip format is closed to types outside ML.NET: persist it with
/// <see cref="Save(Stream)"/> and <see cref="Load(Stream)"/>.
/// </remarks>
public sealed partial class GradSentryFilterTransformer : ITransformer
{
    readonly GradSentryFilterOptions _options;

    readonly IReadOnlySet<string>? _flaggedRows;

    internal GradSentryFilterTransformer(GradSentryFilterOptions options, ThresholdResult result, long rows, long scored)
    {
        _options = options;
        ThresholdResult = result;
        RowCount = rows;
        ScoredRowCount = scored;
    }

    internal GradSentryFilterTransformer(GradSentryFilterOptions options, DatasetFit fit)
        : this(options, fit.Threshold, fit.Rows, fit.ScoredRows)
    {
        _flaggedRows = fit.FlaggedRows;
        DetectorOutcome = fit.Outcome;
        BackdoorGroups = fit.Groups;
        SetAsideGroups = fit.SetAside;
    }

    /// <summary>The detector that decided (<see cref="GradSentryFilterOptions.Detector"/>).</summary>
    public string Detector => GradSentry.Scoring.ScoreKinds.Name(_options.DetectorKind);

    /// <summary>
    /// What the dataset detector concluded, in words (e.g. "1 backdoor group: 20 rows triggered by 'bb'"), as the tool's
    /// reports say it; null for the reference detector.
    /// </summary>
    public string? DetectorOutcome { get; }

    /// <summary>The trigger-conditional detector's backdoor groups with their evidence (prompt words, shared answer words, counts); empty otherwise.</summary>
    public IReadOnlyList<GradSentry.Detection.BackdoorGroup> BackdoorGroups { get; } = [];

    /// <summary>Groups that each repeat their answers (a dataset asking facts several ways), set aside and not flagged.</summary>
    public IReadOnlyList<GradSentry.Detection.BackdoorGroup> SetAsideGroups { get; } = [];

    /// <summary>
    /// True when a dataset detector flagged the row with this prompt and response text in <c>Fit</c> (always false for
    /// the reference detector: use <see cref="IsSuspect(float)"/>).
    /// </summary>
    public bool IsSuspect(string prompt, string response) =>
        _flaggedRows is not null && _flaggedRows.Contains(DatasetDetection.RowKey(prompt ?? "", response ?? ""));

    /// <summary>Whether the fitted filter drops (or marks) this row, whichever detector decided: the reference detector reads <paramref name="score"/>, the dataset detectors the text.</summary>
    public bool IsSuspect(string prompt, string response, float score) => _flaggedRows is null ? IsSuspect(score) : IsSuspect(prompt, response);

    /// <summary>The input columns the suspect test reads: the score (reference) or the prompt and response text.</summary>
    internal IReadOnlyList<DataViewSchema.Column> SuspectColumns(DataViewSchema schema) => _flaggedRows is null
        ? [ColumnChecks.RequireSingle(schema, _options.ScoreColumnName, "score")]
        : [ColumnChecks.RequireText(schema, _options.PromptColumnName, "prompt"), ColumnChecks.RequireText(schema, _options.ResponseColumnName, "response")];

    /// <summary>The suspect test bound to <paramref name="row"/>, whose <see cref="SuspectColumns"/> are active.</summary>
    internal Func<bool> SuspectTest(DataViewRow row)
    {
        var columns = SuspectColumns(row.Schema);
        if (_flaggedRows is null)
        {
            var score = row.GetGetter<float>(columns[0]);
            return () =>
            {
                float value = 0;
                score(ref value);
                return IsSuspect(value);
            };
        }
        var prompt = row.GetGetter<ReadOnlyMemory<char>>(columns[0]);
        var response = row.GetGetter<ReadOnlyMemory<char>>(columns[1]);
        var flagged = _flaggedRows;
        return () =>
        {
            ReadOnlyMemory<char> p = default, r = default;
            prompt(ref p);
            response(ref r);
            return flagged.Contains(DatasetDetection.RowKey(p.Span, r.Span));
        };
    }

    /// <summary>The flagged rows' keys, for saving.</summary>
    internal IReadOnlyCollection<string>? FlaggedRowKeys => _flaggedRows?.Order(StringComparer.Ordinal).ToList();

    /// <summary>A copy of the options.</summary>
    public GradSentryFilterOptions Options => _options.Clone();

    /// <summary>What the filter does with suspect rows.</summary>
    public GradSentryFilterMode Mode => _options.Mode;

    /// <summary>The learned threshold τ: rows with score &gt; τ are suspect.</summary>
    public double Threshold => ThresholdResult.Value;

    /// <summary>
    /// The path that produced τ, e.g. <c>kde_valley_reliable_bimodal</c>, <c>fallback_small_n</c>, <c>fixed</c>,
    /// <c>top_fraction</c> (see <see cref="ThresholdMethods"/>).
    /// </summary>
    public string ThresholdMethod => ThresholdResult.Method;

    /// <summary>True when the KDE rule could not find a reliable valley and used its fallback value.</summary>
    public bool IsFallbackThreshold => ThresholdMethods.IsFallback(ThresholdResult.Method);

    /// <summary>The full result of the threshold rule (bandwidth, peaks, valley, ...), as the engine reports it.</summary>
    public ThresholdResult ThresholdResult { get; }

    /// <summary>Rows read by <see cref="GradSentryFilterEstimator.Fit"/>.</summary>
    public long RowCount { get; }

    /// <summary>Rows with a finite score: the ones the threshold was learned on.</summary>
    public long ScoredRowCount { get; }

    /// <summary>Rows without a finite score (the scorer's NaN): never suspect.</summary>
    public long UnscoredRowCount => RowCount - ScoredRowCount;

    /// <summary>Scored rows above the threshold at fit time: the rows Drop mode removes from that data.</summary>
    public long FlaggedRowCount => ThresholdResult.Details.FlaggedCount;

    /// <summary>True when <paramref name="score"/> is above the threshold (NaN never is).</summary>
    public bool IsSuspect(float score) => _flaggedRows is null && score > ThresholdResult.Value;

    /// <summary>True in Mark mode (the marking is computed row by row); false in Drop mode (rows are skipped).</summary>
    public bool IsRowToRowMapper => _options.Mode == GradSentryFilterMode.Mark;

    /// <summary>Drop mode: <paramref name="inputSchema"/> unchanged. Mark mode: plus the Boolean suspect column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The score column is missing or not <c>Single</c>; the message names it and the type found.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SuspectColumns(inputSchema);
        if (_options.Mode == GradSentryFilterMode.Drop) return inputSchema;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(_options.SuspectColumnName, BooleanDataViewType.Instance);
        return builder.ToSchema();
    }

    /// <summary>Mark mode: a mapper adding the suspect column to single rows (for <c>PredictionEngine</c>).</summary>
    /// <exception cref="InvalidOperationException">Drop mode: dropping rows is not a row-to-row mapping.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The score column is missing or not <c>Single</c>.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        if (_options.Mode == GradSentryFilterMode.Drop)
            throw new InvalidOperationException(
                "GradSentryFilter in Drop mode is not a row-to-row mapper: it removes rows. Use the marking variant (mlContext.Transforms.GradSentryMarkSuspects) to judge single rows.");
        var output = GetOutputSchema(inputSchema);
        return new SuspectMarking.Mapper(inputSchema, output, SuspectColumns(inputSchema), this);
    }

    /// <summary>Drop mode: a view whose cursors skip suspect rows. Mark mode: every row plus the suspect column. Lazy: nothing is read here.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The score column is missing or not <c>Single</c>.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var output = GetOutputSchema(input.Schema);
        var reads = SuspectColumns(input.Schema);
        if (_options.Mode == GradSentryFilterMode.Mark) return new SuspectMarking.View(input, output, reads, this);
        // Dropping unscored rows needs the score column even when the suspect test reads the text.
        var score = _options.DropUnscoredRows ? ColumnChecks.RequireSingle(input.Schema, _options.ScoreColumnName, "score") : (DataViewSchema.Column?)null;
        return new SuspectDroppingView(input, reads, score, this);
    }

    /// <summary>ML.NET's model format is closed to outside types; use <see cref="Save(Stream)"/>.</summary>
    /// <exception cref="NotSupportedException">Always, with that advice.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "ML.NET's model zip format is closed to transformers outside ML.NET; save GradSentryFilterTransformer with its own Save(Stream) and load it with GradSentryFilterTransformer.Load.");
}
