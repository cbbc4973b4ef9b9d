using System.Text;

namespace GradSentry.Detection;

/// <summary>ONION's words: whitespace-delimited pieces of a prompt (punctuation kept, as ONION's <c>split(' ')</c>), and the prompt without one of them.</summary>
public static class OnionWords
{
    /// <summary>The words of <paramref name="text"/> with their start offsets, in order.</summary>
    public static IReadOnlyList<(string Word, int Start)> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<(string, int)>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            if (i > start) words.Add((text[start..i], start));
        }
        return words;
    }

    /// <summary>
    /// <paramref name="text"/> with every occurrence of <paramref name="word"/> deleted together with the whitespace before
    /// it (after it, for the first word), so the words around it keep their one separator. Leading and trailing whitespace
    /// stay.
    /// </summary>
    public static string Without(string text, string word)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(word);
        var words = Split(text);
        if (words.Count == 0) return text;
        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, words[0].Start);
        var previousEnd = words[0].Start; // where the separator before the current word begins
        var anyKept = false;
        foreach (var (w, start) in words)
        {
            if (!string.Equals(w, word, StringComparison.Ordinal))
            {
                if (anyKept) sb.Append(text, previousEnd, start - previousEnd);
                sb.Append(w);
                anyKept = true;
            }
            previousEnd = start + w.Length;
        }
        sb.Append(text, previousEnd, text.Length - previousEnd);
        return sb.ToString();
    }

    /// <summary>
    /// The words that at least <paramref name="fraction"/> of <paramref name="rows"/> contain (and at least two rows):
    /// template text, never deleted. A window of one row has none.
    /// </summary>
    public static IReadOnlySet<string> TemplateWords(IReadOnlyList<IReadOnlyList<(string Word, int Start)>> rows, double fraction)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var frequency = RowFrequency(rows);
        var bar = Math.Max(2, (int)Math.Ceiling(fraction * rows.Count - 1e-9));
        return frequency.Where(p => p.Value >= bar).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>In how many rows each word occurs.</summary>
    public static Dictionary<string, int> RowFrequency(IReadOnlyList<IReadOnlyList<(string Word, int Start)>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
            foreach (var word in row.Select(w => w.Word).Distinct(StringComparer.Ordinal))
                frequency[word] = frequency.GetValueOrDefault(word) + 1;
        return frequency;
    }
}
