using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Internal;

/// <summary>
/// The input with suspect rows (score &gt; τ, and NaN when asked) skipped. Same schema; the row count is unknown until
/// read, so <see cref="GetRowCount"/> is null. Positions count the rows served.
/// </summary>
internal sealed class SuspectDroppingView(IDataView input, DataViewSchema.Column score, GradSentryFilterTransformer filter, bool dropUnscored) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => input.Schema;

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var needed = columnsNeeded.ToList();
        if (!needed.Any(c => c.Index == score.Index)) needed.Add(score);
        return new Cursor(input.GetRowCursor(needed), score, filter, dropUnscored);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    sealed class Cursor(DataViewRowCursor inner, DataViewSchema.Column score, GradSentryFilterTransformer filter, bool dropUnscored) : DataViewRowCursor
    {
        readonly ValueGetter<float> _score = inner.GetGetter<float>(score);
        long _position = -1;

        public override long Position => _position;

        public override long Batch => inner.Batch;

        public override DataViewSchema Schema => inner.Schema;

        public override bool MoveNext()
        {
            float value = 0;
            while (inner.MoveNext())
            {
                _score(ref value);
                if (filter.IsSuspect(value) || (dropUnscored && !float.IsFinite(value))) continue;
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
