using System.Globalization;

namespace GradSentry.Lab;

/// <summary>A command-line mistake; the CLI prints the message and the usage and exits with <see cref="LabCli.UsageError"/>.</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UsageException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public UsageException() { }

    /// <summary>Creates the exception.</summary>
    public UsageException(string message, Exception inner) : base(message, inner) { }
}

/// <summary><c>--name value</c> pairs (and valueless <c>--flag</c>s) of one command.</summary>
internal sealed class CliOptions
{
    readonly Dictionary<string, string> _values;

    CliOptions(Dictionary<string, string> values) => _values = values;

    public static CliOptions Parse(IEnumerable<string> args, IReadOnlyCollection<string> known, IReadOnlyCollection<string>? flags = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (flags?.Contains(name) == true)
            {
                if (!values.TryAdd(name, "true")) throw new UsageException($"option '{name}' is given twice.");
                continue;
            }
            if (!known.Contains(name)) throw new UsageException($"unknown option '{name}'.");
            if (!e.MoveNext()) throw new UsageException($"option '{name}' needs a value.");
            if (!values.TryAdd(name, e.Current)) throw new UsageException($"option '{name}' is given twice.");
        }
        return new CliOptions(values);
    }

    public string Required(string name) =>
        _values.TryGetValue(name, out var v) && v.Length > 0 ? v : throw new UsageException($"option '{name}' is required.");

    public string? String(string name) => _values.GetValueOrDefault(name);

    public bool Flag(string name) => _values.ContainsKey(name);

    public ulong? UInt64(string name)
    {
        if (!_values.TryGetValue(name, out var v)) return null;
        return ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"option '{name}' must be a non-negative integer, got '{v}'.");
    }

    public int? Int(string name, int min = 0)
    {
        if (!_values.TryGetValue(name, out var v)) return null;
        return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new UsageException($"option '{name}' must be an integer of at least {min}, got '{v}'.");
    }

    public double? Double(string name, double min = double.MinValue, double max = double.MaxValue)
    {
        if (!_values.TryGetValue(name, out var v)) return null;
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) && x >= min && x <= max
            ? x
            : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"option '{name}' must be a number in [{min}, {max}], got '{v}'."));
    }

    public Data.RowRange Rows(string name)
    {
        if (!_values.TryGetValue(name, out var v)) return Data.RowRange.All;
        try
        {
            return Data.RowRange.Parse(v);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"option '{name}': {ex.Message}", ex);
        }
    }

    public IReadOnlyList<string> List(string name, IReadOnlyList<string> defaults) =>
        _values.TryGetValue(name, out var v) ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : defaults;
}
