using GradSentry.MLNet.Internal;
using GradSentry.Thresholds;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet;

/// <summary>
/// A learned GradSentry threshold τ applied to a score column: in <see cref="GradSentryFilterMode.Drop"/> mode the rows
/// whose score is strictly greater than τ are dropped; in <see cref="GradSentryFilterMode.Mark"/> mode every row is kept
/// and a Boolean column (default <c>IsSuspect</c>) says which are above τ.
/// </summary>
/// <remarks>
/// A NaN score (a row the scorer could not score) is never above τ: it is kept, unless
/// <see cref="GradSentryFilterOptions.DropUnscoredRows"/> is set. The dropping view skips rows as its cursor advances, so
/// its row count is unknown (<see cref="IDataView.GetRowCount"/> is null) and this transformer is not a row-to-row mapper
/// in Drop mode. ML.NET's model zip format is closed to types outside ML.NET: persist it with <see cref="Save(Stream)"/>
/// and <see cref="Load(Stream)"/>.
/// </remarks>
public sealed partial class GradSentryFilterTransformer : ITransformer
{
    readonly GradSentryFilterOptions _options;

    internal GradSentryFilterTransformer(GradSentryFilterOptions options, ThresholdResult result, long rows, long scored)
    {
        _options = options;
        ThresholdResult = result;
        RowCount = rows;
        ScoredRowCount = scored;
    }

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
    public bool IsSuspect(float score) => score > ThresholdResult.Value;

    /// <summary>True in Mark mode (the marking is computed row by row); false in Drop mode (rows are skipped).</summary>
    public bool IsRowToRowMapper => _options.Mode == GradSentryFilterMode.Mark;

    /// <summary>Drop mode: <paramref name="inputSchema"/> unchanged. Mark mode: plus the Boolean suspect column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The score column is missing or not <c>Single</c>; the message names it and the type found.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnChecks.RequireSingle(inputSchema, _options.ScoreColumnName, "score");
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
        return new SuspectMarking.Mapper(inputSchema, output, inputSchema[_options.ScoreColumnName], this);
    }

    /// <summary>Drop mode: a view whose cursors skip suspect rows. Mark mode: every row plus the suspect column. Lazy: nothing is read here.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The score column is missing or not <c>Single</c>.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var output = GetOutputSchema(input.Schema);
        var score = input.Schema[_options.ScoreColumnName];
        return _options.Mode == GradSentryFilterMode.Drop
            ? new SuspectDroppingView(input, score, this, _options.DropUnscoredRows)
            : new SuspectMarking.View(input, output, score, this);
    }

    /// <summary>ML.NET's model format is closed to outside types; use <see cref="Save(Stream)"/>.</summary>
    /// <exception cref="NotSupportedException">Always, with that advice.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "ML.NET's model zip format is closed to transformers outside ML.NET; save GradSentryFilterTransformer with its own Save(Stream) and load it with GradSentryFilterTransformer.Load.");
}
