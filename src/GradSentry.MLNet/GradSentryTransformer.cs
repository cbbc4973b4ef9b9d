using GradSentry.MLNet.Internal;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet;

/// <summary>
/// Adds the GradSentry score (<see cref="NumberDataViewType.Single"/>, default <c>GradientSpectralEntropy</c>), the
/// answer-token count (<see cref="NumberDataViewType.Int32"/>, default <c>AnswerTokenCount</c>) and an error column
/// (text, default <c>GradSentryError</c>) to every row; every input column passes through untouched.
/// </summary>
/// <remarks>
/// <para><b>Lazy and batched.</b> <see cref="Transform(IDataView)"/> does no work. A cursor scores rows only when one of
/// the three added columns is requested and read: it reads <see cref="GradSentryOptions.ReadAhead"/> rows ahead through
/// a second cursor over the prompt and response columns, scores them in one call to the engine (length-bucketed batches
/// of <see cref="GradSentryOptions.BatchSize"/>), and serves the scores as it advances. A cursor over other columns only
/// runs no model at all. The input must return its rows in the same order on every cursor (every ML.NET loader and
/// row-to-row transform does); a mismatch is detected by row id and reported.</para>
/// <para><b>Scoring twice.</b> Nothing is memoised between cursors: in <c>pipeline.Fit(data)</c> followed by reading
/// <c>model.Transform(data)</c>, every row is scored once for the filter to learn its threshold and once more when the
/// output is read. Set <see cref="GradSentryOptions.CacheDirectory"/> to probe each row only once (and across runs).</para>
/// <para><b>Rows that cannot be scored</b> (an empty response, a response longer than the maximum length, text the
/// tokenizer cannot map, a degenerate gradient) are kept: their score is NaN, their error column says why (starting
/// with <c>row N:</c>, the 0-based row position), and their answer-token count is 0 when they could not be encoded. A
/// model failure or cancellation is an exception, not a row error.</para>
/// <para><b>Ownership and threads.</b> The transformer owns the loaded model: dispose it (or the
/// <see cref="TransformerChain{TLastTransformer}"/> holding it) when done; cursors used afterwards throw
/// <see cref="ObjectDisposedException"/>. Any number of cursors may run at once, on any threads: each has its own
/// read-ahead window, and the forward passes are serialised by a lock around the one shared scorer (one CPU forward pass
/// already uses every core).</para>
/// <para><b>Saving.</b> ML.NET's model zip format is closed to types outside ML.NET (its <see cref="ModelSaveContext"/>
/// exposes nothing to write with, and <c>mlContext.Model.Save</c> fails with "ModelSignature not specified!"), so this
/// transformer cannot be saved inside an ML.NET zip. Use <see cref="Save(Stream)"/> and
/// <see cref="Load(Stream, string?)"/>: they keep the options, the model directory and its content hash, and loading
/// refuses a model whose files changed.</para>
/// </remarks>
public sealed partial class GradSentryTransformer : ITransformer, IDisposable
{
    readonly GradSentryOptions _options;
    readonly ScoringSession _session;

    GradSentryTransformer(GradSentryOptions options, ScoringSession session)
    {
        _options = options;
        _session = session;
    }

    /// <summary>Validates <paramref name="options"/>, loads the model and builds the scorer.</summary>
    internal static GradSentryTransformer Create(GradSentryOptions options)
    {
        options.Validate();
        var copy = options.Clone();
        return new GradSentryTransformer(copy, ScoringSession.Open(copy));
    }

    /// <summary>A copy of the options this transformer was built with.</summary>
    public GradSentryOptions Options => _options.Clone();

    /// <summary>Full path of the loaded model directory.</summary>
    public string ModelDirectory => _session.Model.Directory;

    /// <summary>
    /// SHA-256 over every file that affects scores (weights, config, tokenizer, adapter); what <see cref="Save(Stream)"/>
    /// records and <see cref="Load(Stream, string?)"/> checks. Computed on first use.
    /// </summary>
    public string ModelContentHash => _session.ContentHash();

    /// <summary>The gradient probe in use, e.g. <c>lm_head-closed-form</c>.</summary>
    public string ProbeName => _session.ProbeName;

    /// <summary>Rows that went through a forward pass so far, over all cursors (rows from the score cache not counted).</summary>
    public long ProbedRowCount => _session.ProbedRows;

    /// <summary>Rows answered from the score cache so far.</summary>
    public long CachedRowCount => _session.CachedRows;

    /// <summary>False: scores are computed in batches over a dataset, not one row at a time.</summary>
    public bool IsRowToRowMapper => false;

    /// <summary>The input schema plus the score, answer-token and error columns (an input column with one of those names is hidden).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt or response column is missing or not text; the message names the column and the type found.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnChecks.RequireText(inputSchema, _options.PromptColumnName, "prompt");
        ColumnChecks.RequireText(inputSchema, _options.ResponseColumnName, "response");
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(_options.OutputColumnName, NumberDataViewType.Single);
        builder.AddColumn(_options.AnswerTokenCountColumnName, NumberDataViewType.Int32);
        builder.AddColumn(_options.ErrorColumnName, TextDataViewType.Instance);
        if (_options.AddsSketch) builder.AddColumn(_options.SketchColumnName, new VectorDataViewType(NumberDataViewType.Single, GradSentryOptions.SketchLength));
        return builder.ToSchema();
    }

    /// <summary>Not available: see <see cref="IsRowToRowMapper"/>.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new InvalidOperationException(
            "GradSentryTransformer is not a row-to-row mapper (IsRowToRowMapper is false): it scores rows in batches over a data view. " +
            "Use Transform(IDataView) and read the rows, e.g. with mlContext.Data.CreateEnumerable.");

    /// <summary>The lazily scored view of <paramref name="input"/>, observing <see cref="GradSentryOptions.CancellationToken"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt or response column is missing or not text.</exception>
    public IDataView Transform(IDataView input) => Transform(input, _options.CancellationToken);

    /// <summary>The lazily scored view of <paramref name="input"/>; its cursors observe <paramref name="cancellationToken"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt or response column is missing or not text.</exception>
    public IDataView Transform(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        return new ScoredDataView(input, schema, _session, _options, cancellationToken);
    }

    /// <summary>ML.NET's model format is closed to outside types; use <see cref="Save(Stream)"/>.</summary>
    /// <exception cref="NotSupportedException">Always, with that advice.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "ML.NET's model zip format is closed to transformers outside ML.NET; save GradSentryTransformer with its own Save(Stream) and load it with GradSentryTransformer.Load.");

    /// <summary>Releases the model and the score cache.</summary>
    public void Dispose() => _session.Dispose();
}
