using static TorchSharp.torch;

namespace GradSentry.Models.Layers;

/// <summary>
/// Bookkeeping for a batch whose rows share their first <c>S</c> tokens: the prefix is carried as one row
/// <c>[1, S, hidden]</c>, the rest as <c>[B, L − S, hidden]</c>, and a layer sees <see cref="Join"/>ed input.
/// The suffix rows' queries sit at absolute positions <see cref="SuffixPositions"/>, so rotary phases and causal
/// masks stay those of the full sequence.
/// </summary>
public sealed class SharedPrefixContext
{
    readonly long _batch;

    /// <summary>Prepares the positions of the suffix; tensors live in the caller's dispose scope.</summary>
    public SharedPrefixContext(long batch, long length, int sharedPrefix, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sharedPrefix, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sharedPrefix, length);
        _batch = batch;
        SuffixPositions = arange(sharedPrefix, length, 1L, ScalarType.Int64, device).unsqueeze(0).expand(batch, -1);
    }

    /// <summary>[B, L − S] int64: positions S..L−1 for every row.</summary>
    public Tensor SuffixPositions { get; }

    /// <summary>The full layer input <c>[B, L, hidden]</c>: the one prefix row in front of every suffix row.</summary>
    public Tensor Join(Tensor prefix, Tensor suffix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(suffix);
        return cat([prefix.expand(_batch, -1, -1), suffix], 1);
    }
}
