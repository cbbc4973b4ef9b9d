using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Internal;

/// <summary>Every input row plus a Boolean column: suspect or not (score &gt; τ, or flagged by the dataset detector). As a view (cursors) and as a row-to-row mapper (single rows).</summary>
internal static class SuspectMarking
{
    /// <summary>The getters of a marked row over an input row: input columns delegate, the last column is the suspect test.</summary>
    static ValueGetter<TValue> Getter<TValue>(DataViewRow input, DataViewSchema output, IReadOnlyList<DataViewSchema.Column> reads, GradSentryFilterTransformer filter,
        DataViewSchema.Column column, bool markActive)
    {
        var inputCount = output.Count - 1;
        if (column.Index < inputCount) return input.GetGetter<TValue>(input.Schema[column.Index]);
        if (column.Index != inputCount) throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' is not in this schema.");
        if (!markActive) throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created; pass it in columnsNeeded.");
        var suspect = filter.SuspectTest(input);
        ValueGetter<bool> getter = (ref bool value) => value = suspect();
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
            $"Invalid TValue in GetGetter: '{typeof(TValue)}', expected type: '{typeof(bool)}' for column '{column.Name}'.");
    }

    /// <summary>Input columns needed to produce <paramref name="columns"/> of the output.</summary>
    static List<DataViewSchema.Column> Needed(DataViewSchema input, IReadOnlyList<DataViewSchema.Column> reads, IEnumerable<DataViewSchema.Column> columns, out bool mark)
    {
        mark = false;
        var needed = new List<DataViewSchema.Column>();
        foreach (var column in columns)
        {
            if (column.Index < input.Count) needed.Add(input[column.Index]);
            else mark = true;
        }
        if (mark)
            foreach (var read in reads)
                if (!needed.Any(c => c.Index == read.Index)) needed.Add(read);
        return needed;
    }

    internal sealed class View(IDataView input, DataViewSchema output, IReadOnlyList<DataViewSchema.Column> reads, GradSentryFilterTransformer filter) : IDataView
    {
        public bool CanShuffle => input.CanShuffle;

        public DataViewSchema Schema => output;

        public long? GetRowCount() => input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            ArgumentNullException.ThrowIfNull(columnsNeeded);
            var needed = Needed(input.Schema, reads, columnsNeeded, out var mark);
            return new Cursor(input.GetRowCursor(needed, rand), output, reads, filter, mark);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        {
            ArgumentNullException.ThrowIfNull(columnsNeeded);
            var needed = Needed(input.Schema, reads, columnsNeeded, out var mark);
            return [.. input.GetRowCursorSet(needed, n, rand).Select(c => (DataViewRowCursor)new Cursor(c, output, reads, filter, mark))];
        }
    }

    sealed class Cursor(DataViewRowCursor inner, DataViewSchema output, IReadOnlyList<DataViewSchema.Column> reads, GradSentryFilterTransformer filter, bool mark) : DataViewRowCursor
    {
        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override DataViewSchema Schema => output;

        public override bool MoveNext() => inner.MoveNext();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < output.Count - 1 ? inner.IsColumnActive(inner.Schema[column.Index]) : mark;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => Getter<TValue>(inner, output, reads, filter, column, mark);

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    internal sealed class Mapper(DataViewSchema input, DataViewSchema output, IReadOnlyList<DataViewSchema.Column> reads, GradSentryFilterTransformer filter) : IRowToRowMapper
    {
        public DataViewSchema InputSchema => input;

        public DataViewSchema OutputSchema => output;

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
            Needed(input, reads, dependingColumns, out _);

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(activeColumns);
            var mark = activeColumns.Any(c => c.Index == output.Count - 1);
            return new Row(input, output, reads, filter, mark);
        }
    }

    sealed class Row(DataViewRow inner, DataViewSchema output, IReadOnlyList<DataViewSchema.Column> reads, GradSentryFilterTransformer filter, bool mark) : DataViewRow
    {
        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override DataViewSchema Schema => output;

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < output.Count - 1 ? inner.IsColumnActive(inner.Schema[column.Index]) : mark;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => Getter<TValue>(inner, output, reads, filter, column, mark);

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();
    }
}
