using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace GradSentry.Tokenization;

/// <summary>
/// A Hugging Face <c>normalizer</c> chain (NFC/NFD/NFKC/NFKD, Lowercase, Prepend, Replace, and the
/// ByteLevel <c>add_prefix_space</c> flag) expressed as a Microsoft.ML.Tokenizers <see cref="Normalizer"/>.
/// The library normalizes the whole text before it splits out added tokens, whereas Hugging Face
/// normalizes only the text between them; the two differ only for texts that contain added tokens.
/// </summary>
internal sealed class HfNormalizer : Normalizer
{
    readonly IReadOnlyList<Func<string, string>> _steps;

    HfNormalizer(IReadOnlyList<Func<string, string>> steps) => _steps = steps;

    /// <summary>The chain as written, for messages (e.g. <c>NFC</c>, <c>Prepend("▁")</c>).</summary>
    public required string Description { get; init; }

    /// <summary>A normalizer for <paramref name="steps"/>, or null when there are none.</summary>
    public static HfNormalizer? Create(IReadOnlyList<(string Description, Func<string, string> Apply)> steps) =>
        steps.Count == 0 ? null : new HfNormalizer(steps.Select(s => s.Apply).ToArray()) { Description = string.Join(", ", steps.Select(s => s.Description)) };

    /// <summary>Unicode normalization form <paramref name="form"/>.</summary>
    public static (string, Func<string, string>) Unicode(NormalizationForm form) => (form.ToString(), s => s.Normalize(form));

    /// <summary>Lower-casing (invariant culture).</summary>
    public static (string, Func<string, string>) Lowercase() => ("Lowercase", s => s.ToLowerInvariant());

    /// <summary>Prepends <paramref name="prefix"/> to non-empty text.</summary>
    public static (string, Func<string, string>) Prepend(string prefix) => ($"Prepend(\"{prefix}\")", s => s.Length == 0 ? s : prefix + s);

    /// <summary>Replaces every occurrence of a literal string.</summary>
    public static (string, Func<string, string>) Replace(string pattern, string content) =>
        ($"Replace(\"{pattern}\", \"{content}\")", s => s.Replace(pattern, content, StringComparison.Ordinal));

    /// <summary>Replaces every match of a regular expression.</summary>
    public static (string, Func<string, string>) Replace(Regex pattern, string content) =>
        ($"Replace(/{pattern}/, \"{content}\")", s => pattern.Replace(s, content));

    /// <summary>ByteLevel <c>add_prefix_space</c>: a space before text that does not start with one.</summary>
    public static (string, Func<string, string>) PrefixSpace() => ("ByteLevel(add_prefix_space)", s => s.Length == 0 || s[0] == ' ' ? s : " " + s);

    /// <inheritdoc />
    public override string Normalize(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        var text = original;
        foreach (var step in _steps) text = step(text);
        return text;
    }

    /// <inheritdoc />
    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
