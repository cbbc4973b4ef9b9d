namespace GradSentry.Lab.Data;

/// <summary>
/// A small deterministic generator (SplitMix64) for attacks, sampling and shuffles: the same seed gives the same
/// sequence on every platform and .NET version. Not for security.
/// </summary>
public sealed class LabRandom
{
    ulong _state;

    /// <summary>Starts the sequence of <paramref name="seed"/>.</summary>
    public LabRandom(ulong seed) => _state = seed;

    /// <summary>A generator for one named purpose: the same (seed, purpose) always gives the same stream.</summary>
    public static LabRandom For(ulong seed, string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        var h = 14695981039346656037UL; // FNV-1a over the purpose
        foreach (var c in purpose)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return new LabRandom(seed ^ h);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExclusive, 1);
        return (int)(NextUInt64() % (ulong)maxExclusive);
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>One element of <paramref name="items"/>.</summary>
    public T Pick<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items[Next(items.Count)];
    }

    /// <summary>A random permutation of 0..n-1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (var i = n - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
