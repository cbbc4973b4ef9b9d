using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Internal;

/// <summary>
/// The input with suspect rows (score &gt; τ, and NaN when asked) skipped. Same schema; the row count is unknown until
/// read, so <see cref="GetRowCount"/> is null. Positions count the rows served.
/// </summary>
internal sealed class SuspectDroppingView(IDataView input, IReadOnlyList<DataViewSchema.Column> reads, DataViewSchema.Column? score, GradSentryFilterTransformer filter) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => input.Schema;

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var needed = columnsNeeded.ToList();
        foreach (var column in score is { } s ? reads.Append(s) : reads)
            if (!needed.Any(c => c.Index == column.Index)) needed.Add(column);
        return new Cursor(input.GetRowCursor(needed), score, filter);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    sealed class Cursor(DataViewRowCursor inner, DataViewSchema.Column? score, GradSentryFilterTransformer filter) : DataViewRowCursor
    {
        readonly Func<bool> _suspect = filter.SuspectTest(inner);
        readonly ValueGetter<float>? _score = score is { } s ? inner.GetGetter<float>(s) : null;
        long _position = -1;

        public override long Position => _position;

        public override long Batch => inner.Batch;

        public override DataViewSchema Schema => inner.Schema;

        public override bool MoveNext()
        {
            float value = 0;
            while (inner.MoveNext())
            {
                if (_suspect()) continue;
                if (_score is not null)
                {
                    _score(ref value);
                    if (!float.IsFinite(value)) continue;
                }
                _position++;
                return true;
            }
            return false;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
