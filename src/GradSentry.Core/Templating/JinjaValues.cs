using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GradSentry.Templating;

/// <summary>A name the template reads but nothing defined: prints as nothing, is false, and fails when used further.</summary>
internal sealed class JinjaUndefined
{
    JinjaUndefined(string description) => Description = description;

    /// <summary>What was looked up, for error messages (<c>'tools'</c>, <c>'dict' has no attribute 'x'</c>).</summary>
    public string Description { get; }

    /// <summary>An undefined value described by <paramref name="description"/>.</summary>
    public static JinjaUndefined Because(string description) => new(description);
}

/// <summary>The object <c>namespace(...)</c> returns: the only value a template may change from inside a loop (<c>set ns.x = ...</c>).</summary>
internal sealed class JinjaNamespace
{
    /// <summary>The attributes set so far.</summary>
    public OrderedDictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>The <c>loop</c> variable inside a <c>for</c> body.</summary>
internal sealed class JinjaLoop(int index0, int length, object? previous, object? next)
{
    /// <summary>The attributes Jinja defines on <c>loop</c>, by name.</summary>
    public object? Get(string name) => name switch
    {
        "index0" => (long)index0,
        "index" => (long)index0 + 1,
        "revindex0" => (long)(length - index0 - 1),
        "revindex" => (long)(length - index0),
        "first" => index0 == 0,
        "last" => index0 == length - 1,
        "length" => (long)length,
        "previtem" => index0 > 0 ? previous : JinjaUndefined.Because("'loop.previtem' (there is no previous item)"),
        "nextitem" => index0 < length - 1 ? next : JinjaUndefined.Because("'loop.nextitem' (there is no next item)"),
        _ => JinjaUndefined.Because($"'loop' has no attribute '{name}'"),
    };
}

/// <summary>
/// The value model and Python semantics the interpreter needs: values are <see langword="null"/> (none), <see cref="bool"/>,
/// <see cref="long"/>, <see cref="double"/>, <see cref="string"/>, <see cref="List{T}"/> of values, ordered string-keyed
/// dictionaries, <see cref="JinjaNamespace"/>, <see cref="JinjaLoop"/> and <see cref="JinjaUndefined"/>.
/// </summary>
internal static class JinjaValues
{
    /// <summary>Converts a caller's value (strings, numbers, booleans, lists, dictionaries, <see cref="JsonElement"/>) to the value model.</summary>
    /// <exception cref="ArgumentException">A value of a type templates cannot hold.</exception>
    public static object? From(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        int i => (long)i,
        float f => (double)f,
        decimal m => (double)m,
        JsonElement json => FromJson(json),
        IReadOnlyDictionary<string, object?> map => Dict(map.Select(p => new KeyValuePair<string, object?>(p.Key, From(p.Value)))),
        IDictionary<string, object?> map => Dict(map.Select(p => new KeyValuePair<string, object?>(p.Key, From(p.Value)))),
        IEnumerable items => items.Cast<object?>().Select(From).ToList(),
        _ => throw new ArgumentException($"a template variable cannot hold a {value.GetType().Name}."),
    };

    static object? FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => json.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Number => json.TryGetInt64(out var l) ? l : json.GetDouble(),
        JsonValueKind.Array => json.EnumerateArray().Select(FromJson).ToList(),
        _ => Dict(json.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, FromJson(p.Value)))),
    };

    /// <summary>A dictionary value; a repeated key keeps the last value, as in Python.</summary>
    public static OrderedDictionary<string, object?> Dict(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs) dict[key] = value;
        return dict;
    }

    /// <summary>Python truthiness: none, undefined, false, 0, empty strings, lists and dictionaries are false.</summary>
    public static bool IsTrue(object? value) => value switch
    {
        null or JinjaUndefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        OrderedDictionary<string, object?> dict => dict.Count > 0,
        _ => true,
    };

    /// <summary>The type name an error message shows.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "none",
        JinjaUndefined => "undefined",
        bool => "boolean",
        long => "integer",
        double => "float",
        string => "string",
        List<object?> => "list",
        OrderedDictionary<string, object?> => "dict",
        JinjaNamespace => "namespace",
        JinjaLoop => "loop",
        _ => value.GetType().Name,
    };

    /// <summary>Python's <c>str()</c>: what <c>{{ value }}</c> prints (undefined prints nothing).</summary>
    public static string ToText(object? value) => value switch
    {
        JinjaUndefined => "",
        string s => s,
        _ => Repr(value),
    };

    /// <summary>Python's <c>repr()</c>, used for values inside lists and dictionaries.</summary>
    public static string Repr(object? value)
    {
        switch (value)
        {
            case null: return "None";
            case JinjaUndefined: return "";
            case bool b: return b ? "True" : "False";
            case long l: return l.ToString(CultureInfo.InvariantCulture);
            case double d: return FloatText(d);
            case string s: return "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "'";
            case List<object?> list: return "[" + string.Join(", ", list.Select(Repr)) + "]";
            case OrderedDictionary<string, object?> dict: return "{" + string.Join(", ", dict.Select(p => Repr(p.Key) + ": " + Repr(p.Value))) + "}";
            case JinjaNamespace ns: return "<Namespace " + Repr(ns.Attributes) + ">";
            default: return value.ToString() ?? "";
        }
    }

    /// <summary>Python's float text: <c>1.0</c>, <c>0.5</c>, <c>1e-05</c>, <c>inf</c>.</summary>
    public static string FloatText(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == Math.Floor(d) && Math.Abs(d) < 1e16) return d.ToString("0", CultureInfo.InvariantCulture) + ".0";
        return d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
    }

    /// <summary>Python's <c>==</c>: numbers by value (<c>1 == 1.0</c>), strings ordinally, lists and dictionaries element by element.</summary>
    public static bool AreEqual(object? a, object? b)
    {
        if (a is JinjaUndefined || b is JinjaUndefined) return a is JinjaUndefined && b is JinjaUndefined;
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a) == ToDouble(b);
        return (a, b) switch
        {
            (null, null) => true,
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => AreEqual(p.First, p.Second)),
            (OrderedDictionary<string, object?> x, OrderedDictionary<string, object?> y) =>
                x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && AreEqual(p.Value, v)),
            _ => ReferenceEquals(a, b),
        };
    }

    /// <summary>True for booleans, integers and floats (a Python bool is an int).</summary>
    public static bool IsNumber(object? value) => value is bool or long or double;

    /// <summary>A number as a double.</summary>
    public static double ToDouble(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        double d => d,
        _ => double.NaN,
    };

    /// <summary>JSON as Python's <c>json.dumps(value, ensure_ascii=False)</c> writes it (what Hugging Face's <c>tojson</c> filter does).</summary>
    public static string ToJson(object? value, int? indent)
    {
        var text = new StringBuilder();
        Write(value, 0);
        return text.ToString();

        void Write(object? v, int depth)
        {
            switch (v)
            {
                case null or JinjaUndefined: text.Append("null"); break;
                case bool b: text.Append(b ? "true" : "false"); break;
                case long l: text.Append(l.ToString(CultureInfo.InvariantCulture)); break;
                case double d: text.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : FloatText(d)); break;
                case string s: JsonString(text, s); break;
                case List<object?> list: Container('[', ']', list.Count, i => Write(list[i], depth + 1), depth); break;
                case OrderedDictionary<string, object?> dict:
                    Container('{', '}', dict.Count, i =>
                    {
                        var (key, item) = dict.GetAt(i);
                        JsonString(text, key);
                        text.Append(": ");
                        Write(item, depth + 1);
                    }, depth);
                    break;
                case JinjaNamespace ns: Write(ns.Attributes, depth); break;
                default: JsonString(text, ToText(v)); break;
            }
        }

        void Container(char open, char close, int count, Action<int> item, int depth)
        {
            text.Append(open);
            for (var i = 0; i < count; i++)
            {
                if (i > 0) text.Append(indent is null ? ", " : ",");
                if (indent is { } n) text.Append('\n').Append(' ', n * (depth + 1));
                item(i);
            }
            if (indent is { } m && count > 0) text.Append('\n').Append(' ', m * depth);
            text.Append(close);
        }
    }

    static void JsonString(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < 0x20) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}
