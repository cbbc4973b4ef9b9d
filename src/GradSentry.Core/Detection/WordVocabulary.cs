using System.Text.RegularExpressions;

namespace GradSentry.Detection;

/// <summary>
/// Words as the trigger-association test counts them: maximal runs of letters, digits, underscores and apostrophes,
/// lower-cased (invariant culture), each spelling mapped to one id in order of first appearance, so ids depend only on
/// the rows' order.
/// </summary>
public sealed partial class WordVocabulary
{
    readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    readonly List<string> _words = [];

    /// <summary>Distinct words so far.</summary>
    public int Count => _words.Count;

    /// <summary>The spelling of word <paramref name="id"/>.</summary>
    public string this[int id] => _words[id];

    /// <summary>The distinct words of <paramref name="text"/>, lower case, in order of first appearance.</summary>
    public static string[] Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var words = new List<string>();
        foreach (Match m in Word().Matches(text))
        {
            var word = m.Value.ToLowerInvariant();
            if (seen.Add(word)) words.Add(word);
        }
        return [.. words];
    }

    /// <summary>The distinct word ids of <paramref name="text"/>, ascending.</summary>
    public int[] DistinctIds(string text) => DistinctIds(Words(text));

    /// <summary>The distinct ids of <paramref name="words"/> (already split and lower-cased), ascending.</summary>
    public int[] DistinctIds(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var ids = new SortedSet<int>();
        foreach (var word in words)
        {
            if (!_ids.TryGetValue(word, out var id))
            {
                id = _words.Count;
                _ids.Add(word, id);
                _words.Add(word);
            }
            ids.Add(id);
        }
        return [.. ids];
    }

    [GeneratedRegex(@"[\p{L}\p{N}_']+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
