using System.Globalization;

namespace GradSentry.Bench;

/// <summary><c>--name value</c> options of a benchmark subcommand.</summary>
internal sealed class BenchArgs
{
    readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static BenchArgs Parse(IReadOnlyList<string> args)
    {
        var parsed = new BenchArgs();
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
                throw new ArgumentException($"expected '--name value' pairs, got '{args[i]}'");
            parsed._values[args[i][2..]] = args[++i];
        }
        return parsed;
    }

    public string Get(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public int GetInt(string name, int fallback) =>
        _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
