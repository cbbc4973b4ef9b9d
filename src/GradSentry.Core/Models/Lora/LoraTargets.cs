using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GradSentry.Models.Lora;

/// <summary>
/// PEFT <c>target_modules</c>: a list of names (a module matches when its full name equals an entry or ends with
/// <c>"." + entry</c>), a regular expression (full match against the module name), or <c>"all-linear"</c> (every
/// linear layer except the output layer).
/// </summary>
public sealed class LoraTargets
{
    /// <summary>PEFT's shorthand for every linear layer but the output projection.</summary>
    public const string AllLinear = "all-linear";

    readonly Regex? _regex;

    LoraTargets(IReadOnlyList<string>? names, string? pattern)
    {
        Names = names;
        Pattern = pattern;
        if (pattern is not null && pattern != AllLinear)
        {
            try
            {
                _regex = new Regex("^(?:" + pattern + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                throw new InvalidDataException($"target_modules regex '{pattern}' is invalid: {ex.Message}", ex);
            }
        }
    }

    /// <summary>The list form, or null for a pattern.</summary>
    public IReadOnlyList<string>? Names { get; }

    /// <summary>The regex (or <c>all-linear</c>) form, or null for a list.</summary>
    public string? Pattern { get; }

    /// <summary>Targets by name, e.g. <c>["q_proj", "v_proj"]</c>.</summary>
    public static LoraTargets FromNames(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var list = names.Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0 || list.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("target_modules must name at least one module and no name may be empty.", nameof(names));
        return new LoraTargets(list, null);
    }

    /// <summary>Targets by regular expression (full match), or <see cref="AllLinear"/>.</summary>
    public static LoraTargets FromPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        return new LoraTargets(null, pattern);
    }

    /// <summary>Parses <c>target_modules</c> of an <c>adapter_config.json</c> (list or string).</summary>
    /// <exception cref="InvalidDataException">Neither a non-empty list of strings nor a string.</exception>
    public static LoraTargets FromJson(JsonNode? node, string source)
    {
        switch (node)
        {
            case JsonValue v when v.TryGetValue<string>(out var pattern) && !string.IsNullOrWhiteSpace(pattern):
                return FromPattern(pattern);
            case JsonArray { Count: > 0 } array when array.All(e => e is JsonValue s && s.TryGetValue<string>(out var n) && !string.IsNullOrWhiteSpace(n)):
                return FromNames(array.Select(e => e!.GetValue<string>()));
            default:
                throw new InvalidDataException(
                    $"{source}: target_modules must be a non-empty list of module names or a regex string, found {node?.ToJsonString() ?? "nothing"}.");
        }
    }

    /// <summary>The <c>target_modules</c> JSON value.</summary>
    public JsonNode ToJson() => Pattern is not null ? JsonValue.Create(Pattern) : new JsonArray([.. Names!.Select(n => (JsonNode?)JsonValue.Create(n))]);

    /// <summary>Whether the module <paramref name="moduleName"/> is targeted (<paramref name="isOutputLayer"/> matters only for <c>all-linear</c>).</summary>
    public bool Matches(string moduleName, bool isOutputLayer = false)
    {
        ArgumentNullException.ThrowIfNull(moduleName);
        if (Pattern == AllLinear) return !isOutputLayer;
        if (_regex is not null) return _regex.IsMatch(moduleName);
        return Names!.Any(n => MatchesEntry(moduleName, n));
    }

    /// <summary>Whether <paramref name="moduleName"/> matches the list entry <paramref name="entry"/> (PEFT: equal, or ends with <c>"." + entry</c>).</summary>
    public static bool MatchesEntry(string moduleName, string entry)
    {
        ArgumentNullException.ThrowIfNull(moduleName);
        ArgumentNullException.ThrowIfNull(entry);
        return moduleName == entry || moduleName.EndsWith("." + entry, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public override string ToString() => Pattern ?? "[" + string.Join(", ", Names!) + "]";
}
