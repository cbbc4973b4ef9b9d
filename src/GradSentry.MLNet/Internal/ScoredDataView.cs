using GradSentry.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Internal;

/// <summary>
/// The transformed data: every input column passed through unchanged (same index, same getter), plus the score,
/// answer-token and error columns, computed lazily in read-ahead windows by <see cref="ScoredCursor"/>.
/// </summary>
internal sealed class ScoredDataView : IDataView
{
    readonly IDataView _input;
    readonly ScoringSession _session;
    readonly DataViewSchema.Column _prompt;
    readonly DataViewSchema.Column _response;
    readonly int _readAhead;
    readonly CancellationToken _cancellationToken;

    public ScoredDataView(IDataView input, DataViewSchema schema, ScoringSession session, GradSentryOptions options, CancellationToken cancellationToken)
    {
        _input = input;
        Schema = schema;
        _session = session;
        _prompt = input.Schema[options.PromptColumnName];
        _response = input.Schema[options.ResponseColumnName];
        _readAhead = options.ReadAhead;
        _cancellationToken = cancellationToken;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var inputCount = _input.Schema.Count;
        var passThrough = new List<DataViewSchema.Column>();
        var added = new bool[Schema.Count - inputCount];
        foreach (var column in columnsNeeded)
        {
            if (column.Index < 0 || column.Index >= Schema.Count || Schema[column.Index].Name != column.Name)
                throw new ArgumentOutOfRangeException(nameof(columnsNeeded), $"Column '{column.Name}' (index {column.Index}) is not a column of this data view's schema.");
            if (column.Index < inputCount) passThrough.Add(_input.Schema[column.Index]);
            else added[column.Index - inputCount] = true;
        }
        // Shuffling is not offered (CanShuffle is false): the look-ahead and the pass-through cursors must see the same order.
        var follower = _input.GetRowCursor(passThrough);
        return new ScoredCursor(this, follower, added);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>
    /// Serves rows from a pass-through cursor over the input. When a getter of an added column is first called on a row
    /// outside the current window, a second (look-ahead) cursor over the prompt and response columns reads the next
    /// <see cref="GradSentryOptions.ReadAhead"/> rows, the window is scored in one call to the engine, and the scores are
    /// served as the pass-through cursor reaches their rows. Rows are matched by their row ids, so an input whose
    /// cursors disagree on order is an error, not a silent mismatch.
    /// </summary>
    sealed class ScoredCursor : DataViewRowCursor
    {
        readonly ScoredDataView _view;
        readonly DataViewRowCursor _follower;
        readonly ValueGetter<DataViewRowId> _followerId;
        readonly bool[] _added;
        readonly int _inputCount;
        DataViewRowCursor? _lead;
        ValueGetter<ReadOnlyMemory<char>>? _leadPrompt;
        ValueGetter<ReadOnlyMemory<char>>? _leadResponse;
        ValueGetter<DataViewRowId>? _leadId;
        SampleScore[] _window = [];
        DataViewRowId[] _windowIds = [];
        long _windowStart;
        long _checkedPosition = -1;

        public ScoredCursor(ScoredDataView view, DataViewRowCursor follower, bool[] added)
        {
            _view = view;
            _follower = follower;
            _followerId = follower.GetIdGetter();
            _added = added;
            _inputCount = view._input.Schema.Count;
        }

        public override long Position => _follower.Position;

        public override long Batch => _follower.Batch;

        public override DataViewSchema Schema => _view.Schema;

        public override bool MoveNext()
        {
            _view._cancellationToken.ThrowIfCancellationRequested();
            return _follower.MoveNext();
        }

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < _inputCount ? _follower.IsColumnActive(_view._input.Schema[column.Index]) : _added[column.Index - _inputCount];

        public override ValueGetter<DataViewRowId> GetIdGetter() => _followerId;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _inputCount) return _follower.GetGetter<TValue>(_view._input.Schema[column.Index]);
            var slot = column.Index - _inputCount;
            if (slot >= _added.Length || !_added[slot])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created; pass it in columnsNeeded.");
            Delegate getter = slot switch
            {
                0 => (ValueGetter<float>)((ref float value) => value = (float)Current().Score),
                1 => (ValueGetter<int>)((ref int value) => value = Current().AnswerTokens),
                2 => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = (Current().Error ?? "").AsMemory()),
                _ => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => SketchOf(Current(), ref value)),
            };
            return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
                $"Invalid TValue in GetGetter: '{typeof(TValue)}', expected type: '{column.Type.RawType}' for column '{column.Name}'.");
        }

        /// <summary>The row's sketch, all zeros for a row that could not be scored (its score is NaN).</summary>
        static void SketchOf(SampleScore score, ref VBuffer<float> value)
        {
            var editor = VBufferEditor.Create(ref value, GradSentryOptions.SketchLength);
            if (score.Sketch is { } sketch) sketch.AsSpan().CopyTo(editor.Values);
            else editor.Values.Clear();
            value = editor.Commit();
        }

        SampleScore Current()
        {
            var position = _follower.Position;
            if (position < 0) throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");
            if (position >= _windowStart + _window.Length) ReadWindow(position);
            var slot = (int)(position - _windowStart);
            if (_checkedPosition != position)
            {
                DataViewRowId id = default;
                _followerId(ref id);
                if (!id.Equals(_windowIds[slot]))
                    throw new InvalidOperationException(
                        $"Row {position} of the input has different row ids on two cursors: the input view does not return its rows in a stable order, which GradSentry needs to pair scores with rows. Cache it first (mlContext.Data.Cache) or load it without shuffling.");
                _checkedPosition = position;
            }
            return _window[slot];
        }

        void ReadWindow(long position)
        {
            var token = _view._cancellationToken;
            token.ThrowIfCancellationRequested();
            if (_lead is null)
            {
                _lead = _view._input.GetRowCursor([_view._prompt, _view._response]);
                _leadPrompt = _lead.GetGetter<ReadOnlyMemory<char>>(_view._prompt);
                _leadResponse = _lead.GetGetter<ReadOnlyMemory<char>>(_view._response);
                _leadId = _lead.GetIdGetter();
            }
            // Rows skipped without asking for a score are passed over, not scored.
            while (_lead.Position < position - 1)
                if (!_lead.MoveNext()) throw OrderError(position);
            var rows = new List<TextRow>(Math.Min(_view._readAhead, 4096));
            var ids = new List<DataViewRowId>(rows.Capacity);
            ReadOnlyMemory<char> prompt = default, response = default;
            DataViewRowId id = default;
            while (rows.Count < _view._readAhead && _lead.MoveNext())
            {
                _leadPrompt!(ref prompt);
                _leadResponse!(ref response);
                _leadId!(ref id);
                rows.Add(new TextRow(_lead.Position, prompt.ToString(), response.ToString()));
                ids.Add(id);
            }
            if (rows.Count == 0 || rows[0].Position != position) throw OrderError(position);
            _window = _view._session.Score(rows, token);
            _windowIds = [.. ids];
            _windowStart = position;
        }

        static InvalidOperationException OrderError(long position) => new(
            $"The input view ended early on a second cursor (row {position} missing): its cursors disagree on the rows, which GradSentry needs to pair scores with rows. Cache it first (mlContext.Data.Cache).");

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _follower.Dispose();
                _lead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
