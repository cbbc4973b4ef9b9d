using System.Globalization;

namespace GradSentry.Lab.Data;

/// <summary>A half-open range of row indices, written <c>START:END</c> (either side may be empty: <c>:1369</c>, <c>1369:</c>).</summary>
/// <param name="Start">First row.</param>
/// <param name="End">One past the last row, or null for "to the end".</param>
public readonly record struct RowRange(int Start, int? End)
{
    /// <summary>Every row.</summary>
    public static RowRange All => new(0, null);

    /// <summary>Parses <c>START:END</c>.</summary>
    /// <exception cref="FormatException">Not two non-negative integers (or blanks) around a colon, or END &lt; START.</exception>
    public static RowRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Length != 2) throw new FormatException($"'{text}' is not a row range START:END (e.g. 0:1369 or 1369:).");
        static int? Number(string s, string text) => s.Length == 0 ? null
            : int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new FormatException($"'{text}': '{s}' is not a non-negative integer.");
        var start = Number(parts[0], text) ?? 0;
        var end = Number(parts[1], text);
        if (end < start) throw new FormatException($"'{text}': the end is before the start.");
        return new RowRange(start, end);
    }

    /// <summary>The rows of <paramref name="items"/> in this range (clamped to the list).</summary>
    public IReadOnlyList<T> Take<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var end = Math.Min(End ?? items.Count, items.Count);
        var start = Math.Min(Start, end);
        return items.Skip(start).Take(end - start).ToList();
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start}:{End}");
}
