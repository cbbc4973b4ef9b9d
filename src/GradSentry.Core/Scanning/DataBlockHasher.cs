using System.Security.Cryptography;
using System.Text;

namespace GradSentry.Scanning;

/// <summary>
/// The content hash of every block of rows (the blocks <c>--shard</c> deals out): SHA-256 over the hashes of the block's
/// rows, in order. Every shard reads every row, so every shard records every block's hash; shards that read different
/// data (a row rewritten between two shards) disagree on the block that holds it, and are not merged.
/// </summary>
public sealed class DataBlockHasher : IDisposable
{
    readonly int _blockRows;
    readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    readonly List<string> _blocks = [];
    int _rowsInBlock;

    /// <summary>Hashes blocks of <paramref name="blockRows"/> rows.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blockRows"/> is not positive.</exception>
    public DataBlockHasher(int blockRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockRows);
        _blockRows = blockRows;
    }

    /// <summary>Adds the next row by its row hash (<see cref="DatasetScanner.HashRow"/>).</summary>
    public void Add(string rowHash)
    {
        ArgumentNullException.ThrowIfNull(rowHash);
        _hash.AppendData(Encoding.ASCII.GetBytes(rowHash));
        _hash.AppendData("\n"u8);
        if (++_rowsInBlock == _blockRows) EndBlock();
    }

    /// <summary>The hash of each block (the last may be short), in order; ends the block in progress.</summary>
    public IReadOnlyList<string> Blocks()
    {
        if (_rowsInBlock > 0) EndBlock();
        return _blocks.ToList();
    }

    void EndBlock()
    {
        _blocks.Add(Convert.ToHexStringLower(_hash.GetHashAndReset()));
        _rowsInBlock = 0;
    }

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();
}
