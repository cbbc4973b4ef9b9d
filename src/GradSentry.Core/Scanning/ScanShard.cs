using System.Globalization;

namespace GradSentry.Scanning;

/// <summary>
/// One slice of a scan spread over several workers. Rows are numbered over all files in order (the global index) and
/// cut into blocks of <see cref="Scoring.ScoringOptions.Window"/> consecutive rows (512 by default); shard
/// <see cref="Index"/> of <see cref="Count"/> scores the blocks whose number satisfies <c>block % Count == Index</c>
/// (block-cyclic). Scores are computed in length-bucketed batches inside those windows, so whole blocks give every
/// row the same batch, and the same bits, as the unsharded scan: merged shards equal it exactly.
/// </summary>
/// <param name="Index">This worker's slice, in <c>[0, Count)</c>.</param>
/// <param name="Count">The number of workers, at least 1.</param>
public sealed record ScanShard(int Index, int Count)
{
    /// <summary>The accepted text form, for help texts and error messages.</summary>
    public const string Syntax = "'i/n' with 0 <= i < n, e.g. '0/4' (blocks of rows whose block number % n == i)";

    /// <summary>True when the row with global index <paramref name="globalIndex"/> belongs to this shard, for blocks of <paramref name="blockRows"/> rows.</summary>
    public bool Contains(long globalIndex, int blockRows) => globalIndex / blockRows % Count == Index;

    /// <summary>Parses <c>i/n</c> (invariant culture, blanks ignored).</summary>
    /// <exception cref="FormatException">Not of the form <c>i/n</c> with <c>0 &lt;= i &lt; n</c>.</exception>
    public static ScanShard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count >= 1 && index < count)
            return new ScanShard(index, count);
        throw new FormatException($"'{text}' is not a shard; use {Syntax}.");
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
