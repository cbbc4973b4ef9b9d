using System.Globalization;

namespace GradSentry.Scanning;

/// <summary>
/// A row hash held in 32 bytes instead of a 64-character string (<see cref="DatasetScanner.HashRow"/> writes lower-case
/// hex SHA-256): a scan keeps one per row. Any other text is kept as it is. <see cref="ToString"/> gives the text back.
/// </summary>
internal readonly struct CompactRowHash : IEquatable<CompactRowHash>
{
    readonly ulong _a, _b, _c, _d;
    readonly string? _other;

    CompactRowHash(ulong a, ulong b, ulong c, ulong d)
    {
        _a = a;
        _b = b;
        _c = c;
        _d = d;
    }

    CompactRowHash(string other) => _other = other;

    /// <summary>Holds <paramref name="text"/>: compactly when it is 64 lower-case hex digits.</summary>
    public static CompactRowHash From(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 64 && IsLowerHex(text)
            && ulong.TryParse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var a)
            && ulong.TryParse(text.AsSpan(16, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b)
            && ulong.TryParse(text.AsSpan(32, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var c)
            && ulong.TryParse(text.AsSpan(48, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var d))
            return new CompactRowHash(a, b, c, d);
        return new CompactRowHash(text);
    }

    static bool IsLowerHex(string text)
    {
        foreach (var ch in text)
            if (!char.IsAsciiDigit(ch) && ch is not (>= 'a' and <= 'f')) return false;
        return true;
    }

    /// <summary>The hash as it was given.</summary>
    public override string ToString() => _other ?? string.Create(64, (_a, _b, _c, _d), static (span, h) =>
    {
        h._a.TryFormat(span[..16], out _, "x16", CultureInfo.InvariantCulture);
        h._b.TryFormat(span[16..32], out _, "x16", CultureInfo.InvariantCulture);
        h._c.TryFormat(span[32..48], out _, "x16", CultureInfo.InvariantCulture);
        h._d.TryFormat(span[48..], out _, "x16", CultureInfo.InvariantCulture);
    });

    /// <inheritdoc />
    public bool Equals(CompactRowHash other) =>
        _a == other._a && _b == other._b && _c == other._c && _d == other._d && string.Equals(_other, other._other, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CompactRowHash other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d, _other);
}
