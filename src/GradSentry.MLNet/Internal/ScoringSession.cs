using GradSentry.Caching;
using GradSentry.Data;
using GradSentry.Scoring;

namespace GradSentry.MLNet.Internal;

/// <summary>One text row read from a cursor: its position in the input view and its two cells.</summary>
internal readonly record struct TextRow(long Position, string Prompt, string Response);

/// <summary>
/// The loaded model, its cache and one <see cref="GradSentryScorer"/>, shared by every cursor of a transformer.
/// Scoring calls are serialised by a lock: the probe and the model are not safe for concurrent forward passes
/// (probes install capture hooks), and one CPU forward pass already uses every core.
/// </summary>
internal sealed class ScoringSession : IDisposable
{
    readonly Lock _gate = new();
    readonly GradSentryModel _model;
    readonly ScoreCache? _cache;
    readonly GradSentryScorer _scorer;
    readonly IPromptTemplate? _template;
    readonly string _promptColumn;
    readonly string _responseColumn;
    readonly string? _hashMemo;
    string? _contentHash;
    bool _disposed;

    ScoringSession(GradSentryModel model, ScoreCache? cache, GradSentryScorer scorer, IPromptTemplate? template, GradSentryOptions options)
    {
        _model = model;
        _cache = cache;
        _scorer = scorer;
        _template = template;
        _promptColumn = options.PromptColumnName;
        _responseColumn = options.ResponseColumnName;
        _hashMemo = options.CacheDirectory is null ? null : Path.Combine(options.CacheDirectory, "file-hashes.json");
    }

    /// <summary>Loads the model named by <paramref name="options"/> (validated by the caller) and builds the scorer.</summary>
    public static ScoringSession Open(GradSentryOptions options)
    {
        // The raw template is the identity: the encoder itself refuses an empty response, so no record needs building.
        var template = options.Template.Equals(PromptTemplates.RawName, StringComparison.OrdinalIgnoreCase) ? null : options.CreateTemplate();
        var scoring = ToScoringOptions(options);
        var model = GradSentryModel.Load(options.ResolvedModelPath, options.Device, ComputeDTypes.Parse(options.DType), options.AdapterPath);
        ScoreCache? cache = null;
        try
        {
            cache = options.CacheDirectory is null ? null : model.OpenCache(options.CacheDirectory, scoring.Probe);
            var scorer = model.CreateScorer(scoring, options.MaxLength, cache);
            return new ScoringSession(model, cache, scorer, template, options);
        }
        catch
        {
            cache?.Dispose();
            model.Dispose();
            throw;
        }
    }

    /// <summary>The engine options these ML.NET options stand for (also what the benchmark and the tests compare with).</summary>
    public static ScoringOptions ToScoringOptions(GradSentryOptions options) => new()
    {
        Probe = new ProbeOptions { TargetParameter = options.TargetParameter, Rank = options.Rank, SliceFactor = options.SliceFactor },
        BatchSize = options.BatchSize,
        MaxTokensPerBatch = options.MaxTokensPerBatch,
        Window = options.ReadAhead,
        // The trigger-conditional score kind makes the probe keep each row's gradient sketch; the score itself stays the reference.
        Score = options.AddsSketch ? ScoreKind.TriggerConditional : ScoreKind.Reference,
    };

    public GradSentryModel Model => _model;

    /// <summary>The probe's name, e.g. <c>lm_head-closed-form</c>.</summary>
    public string ProbeName => _scorer.Probe.Name;

    /// <summary>Rows that went through a forward pass so far.</summary>
    public long ProbedRows
    {
        get { lock (_gate) return _scorer.ProbedRows; }
    }

    /// <summary>Rows answered from the score cache so far.</summary>
    public long CachedRows
    {
        get { lock (_gate) return _scorer.CachedRows; }
    }

    /// <summary>SHA-256 over the model's files (memoised).</summary>
    public string ContentHash()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _contentHash ??= _model.ContentHash(_hashMemo);
        }
    }

    /// <summary>
    /// Scores <paramref name="rows"/> (one read-ahead window) in order. A row the template or the encoder refuses, or whose
    /// gradient is degenerate, gets a failed <see cref="SampleScore"/> carrying the reason; other errors (a model failure,
    /// cancellation) propagate.
    /// </summary>
    public SampleScore[] Score(IReadOnlyList<TextRow> rows, CancellationToken cancellationToken)
    {
        var results = new SampleScore[rows.Count];
        var inputs = new List<ScoringInput>(rows.Count);
        var slots = new List<int>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (_template is null)
            {
                inputs.Add(new ScoringInput(row.Position, row.Prompt, row.Response));
                slots.Add(i);
                continue;
            }
            try
            {
                var record = DataRecord.FromFields("(IDataView)", row.Position, row.Position + 1,
                    [_promptColumn, _responseColumn], [row.Prompt, row.Response]);
                var text = _template.Apply(record);
                inputs.Add(new ScoringInput(row.Position, text.Prompt, text.Response));
                slots.Add(i);
            }
            catch (DatasetException ex)
            {
                results[i] = SampleScore.Failed(row.Position, $"row {row.Position}: {ex.Problem} {ex.Fix}");
            }
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var j = 0;
            foreach (var score in _scorer.Score(inputs, cancellationToken))
            {
                results[slots[j++]] = score.Error is null ? score : score with { Error = $"row {score.Id}: {score.Error}" };
            }
        }
        return results;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _scorer.Dispose();
            _cache?.Dispose();
            _model.Dispose();
        }
    }
}
