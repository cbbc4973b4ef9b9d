using System.Text;

namespace GradSentry.Data;

/// <summary>A parsed <c>"text {field} text"</c> format; <c>{{</c> and <c>}}</c> are literal braces.</summary>
sealed class FormatString
{
    readonly List<(string Text, bool IsField)> parts;

    FormatString(List<(string, bool)> parts) => this.parts = parts;

    /// <summary>The placeholder names, in order.</summary>
    public IEnumerable<string> Fields => parts.Where(p => p.IsField).Select(p => p.Text);

    /// <exception cref="FormatException">An unmatched brace or an empty placeholder.</exception>
    public static FormatString Parse(string format)
    {
        var parts = new List<(string, bool)>();
        var text = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '{')
            {
                if (i + 1 < format.Length && format[i + 1] == '{')
                {
                    text.Append('{');
                    i++;
                    continue;
                }
                var close = format.IndexOf('}', i + 1);
                var open = format.IndexOf('{', i + 1);
                if (close < 0 || (open >= 0 && open < close))
                    throw new FormatException($"the '{{' at position {i} has no matching '}}'.");
                var name = format[(i + 1)..close];
                if (name.Length == 0) throw new FormatException($"the placeholder at position {i} is empty.");
                if (text.Length > 0) parts.Add((text.ToString(), false));
                text.Clear();
                parts.Add((name, true));
                i = close;
            }
            else if (c == '}')
            {
                if (i + 1 < format.Length && format[i + 1] == '}')
                {
                    text.Append('}');
                    i++;
                    continue;
                }
                throw new FormatException($"the '}}' at position {i} has no matching '{{' (write '}}}}' for a literal brace).");
            }
            else text.Append(c);
        }
        if (text.Length > 0) parts.Add((text.ToString(), false));
        return new FormatString(parts);
    }

    /// <summary>The text with each placeholder replaced by <paramref name="value"/>(name).</summary>
    public string Format(Func<string, string> value)
    {
        var result = new StringBuilder();
        foreach (var (text, isField) in parts) result.Append(isField ? value(text) : text);
        return result.ToString();
    }
}
