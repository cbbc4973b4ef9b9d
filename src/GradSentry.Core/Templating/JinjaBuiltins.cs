using System.Globalization;

namespace GradSentry.Templating;

/// <summary>
/// The filters, tests, global functions and methods the interpreter knows: those found in Hugging Face chat templates
/// (Llama 2/3, Qwen2, Mistral, Gemma, ChatML, Phi, Zephyr and their tool-calling variants).
/// </summary>
internal static class JinjaBuiltins
{
    /// <summary>Known filters (<c>value | name</c>).</summary>
    public static readonly HashSet<string> Filters =
    [
        "trim", "length", "count", "default", "d", "upper", "lower", "capitalize", "title", "string", "list", "first", "last",
        "join", "tojson", "replace", "selectattr", "rejectattr", "select", "reject", "map", "reverse", "int", "float", "abs",
        "items", "safe", "unique",
    ];

    /// <summary>Known tests (<c>value is name</c>).</summary>
    public static readonly HashSet<string> Tests =
    [
        "defined", "undefined", "none", "string", "number", "integer", "float", "boolean", "true", "false", "mapping",
        "iterable", "sequence", "equalto", "eq", "==", "ne", "!=", "sameas", "even", "odd", "divisibleby", "in", "lower", "upper",
        "gt", "ge", "lt", "le",
    ];

    /// <summary>Known global functions.</summary>
    public static readonly HashSet<string> Functions = ["raise_exception", "namespace", "range"];

    // ---- functions --------------------------------------------------------------------------------------------------

    /// <summary>Calls the global function <paramref name="name"/>.</summary>
    public static object? CallFunction(JinjaRenderer r, string name, List<object?> args, Dictionary<string, object?> named, int offset)
    {
        switch (name)
        {
            case "raise_exception":
                var (line, column) = r.PositionOf(offset);
                throw new JinjaRaisedException(args.Count > 0 ? JinjaValues.ToText(args[0]) : "raise_exception was called.", line, column);
            case "namespace":
                var ns = new JinjaNamespace();
                foreach (var arg in args)
                {
                    if (arg is not OrderedDictionary<string, object?> initial) throw r.Error("namespace() takes name=value arguments or a dict.", offset);
                    foreach (var (key, value) in initial) ns.Attributes[key] = value;
                }
                foreach (var (key, value) in named) ns.Attributes[key] = value;
                return ns;
            case "range":
                var bounds = args.Select(a => a is long l ? l : throw r.Error($"range() takes integers, not a {JinjaValues.TypeName(a)}.", offset)).ToList();
                var (start, stop, step) = bounds.Count switch
                {
                    1 => (0L, bounds[0], 1L),
                    2 => (bounds[0], bounds[1], 1L),
                    3 => (bounds[0], bounds[1], bounds[2]),
                    _ => throw r.Error("range() takes 1 to 3 arguments.", offset),
                };
                if (step == 0) throw r.Error("range() step must not be zero.", offset);
                var items = new List<object?>();
                for (var i = start; step > 0 ? i < stop : i > stop; i += step)
                {
                    if (items.Count >= 1_000_000) throw r.Error("range() is too long.", offset);
                    items.Add(i);
                }
                return items;
            default:
                throw r.Error($"unknown function '{name}'.", offset);
        }
    }

    /// <summary>Calls a method of a string or dict (<c>text.strip()</c>, <c>tool.items()</c>).</summary>
    public static object? CallMethod(JinjaRenderer r, object? target, string name, List<object?> args, int offset)
    {
        switch (target)
        {
            case string s:
                switch (name)
                {
                    case "strip": return Strip(s, Arg(0), both: true);
                    case "lstrip": return args.Count > 0 && args[0] is string lc ? s.TrimStart(lc.ToCharArray()) : s.TrimStart();
                    case "rstrip": return args.Count > 0 && args[0] is string rc ? s.TrimEnd(rc.ToCharArray()) : s.TrimEnd();
                    case "upper": return s.ToUpperInvariant();
                    case "lower": return s.ToLowerInvariant();
                    case "title": return Title(s);
                    case "capitalize": return Capitalize(s);
                    case "startswith": return s.StartsWith(Text(0), StringComparison.Ordinal);
                    case "endswith": return s.EndsWith(Text(0), StringComparison.Ordinal);
                    case "replace": return s.Replace(Text(0), Text(1), StringComparison.Ordinal);
                    case "split":
                        return args.Count == 0 || args[0] is null
                            ? s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(x => (object?)x).ToList()
                            : s.Split(Text(0)).Select(x => (object?)x).ToList();
                    case "join":
                        return args.Count == 1 && args[0] is List<object?> parts ? string.Join(s, parts.Select(JinjaValues.ToText))
                            : throw r.Error("join() takes a list.", offset);
                }
                break;
            case OrderedDictionary<string, object?> dict:
                switch (name)
                {
                    case "items": return dict.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList();
                    case "keys": return dict.Keys.Select(k => (object?)k).ToList();
                    case "values": return dict.Values.ToList();
                    case "get": return args.Count > 0 && args[0] is string key && dict.TryGetValue(key, out var value) ? value : args.Count > 1 ? args[1] : null;
                }
                break;
            case JinjaUndefined u:
                throw r.Error($"cannot call '{name}()' on {u.Description}: it is undefined.", offset);
        }
        throw r.Error($"a {JinjaValues.TypeName(target)} has no method '{name}' here.", offset);

        object? Arg(int i) => i < args.Count ? args[i] : null;

        string Text(int i) => i < args.Count && args[i] is string text ? text
            : throw r.Error($"'{name}()' needs a string argument {i + 1}.", offset);
    }

    static string Strip(string s, object? chars, bool both) =>
        chars is string set ? (both ? s.Trim(set.ToCharArray()) : s) : s.Trim();

    static string Title(string s)
    {
        var chars = s.ToCharArray();
        var start = true;
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = start ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
            start = !char.IsLetterOrDigit(chars[i]);
        }
        return new string(chars);
    }

    static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    // ---- slicing ----------------------------------------------------------------------------------------------------

    /// <summary>Python slicing of a list or string: <c>messages[1:]</c>, <c>out[:-1]</c>, <c>items[::-1]</c>.</summary>
    public static object? Slice(JinjaRenderer r, object? target, object? start, object? stop, object? step, int offset)
    {
        long? Bound(object? value, string what) => value switch
        {
            null => null,
            long l => l,
            bool b => b ? 1 : 0,
            _ => throw r.Error($"the slice {what} must be an integer, not a {JinjaValues.TypeName(value)}.", offset),
        };
        var first = Bound(start, "start");
        var last = Bound(stop, "stop");
        var by = Bound(step, "step") ?? 1;
        if (by == 0) throw r.Error("the slice step must not be zero.", offset);
        var length = target switch
        {
            List<object?> list => list.Count,
            string s => s.Length,
            JinjaUndefined u => throw r.Error($"cannot slice {u.Description}: it is undefined.", offset),
            _ => throw r.Error($"cannot slice a {JinjaValues.TypeName(target)}.", offset),
        };
        var indexes = new List<int>();
        if (by > 0)
        {
            var from = Clamp(first ?? 0, length, 0, length);
            var to = Clamp(last ?? length, length, 0, length);
            for (var i = from; i < to; i += by) indexes.Add((int)i);
        }
        else
        {
            var from = Clamp(first ?? length - 1, length, -1, length - 1);
            var to = last is null ? -1 : Clamp(last.Value, length, -1, length - 1);
            for (var i = from; i > to; i += by) indexes.Add((int)i);
        }
        return target is string text
            ? string.Concat(indexes.Select(i => text[i]))
            : indexes.Select(i => ((List<object?>)target!)[i]).ToList();

        static long Clamp(long index, int length, long low, long high)
        {
            if (index < 0) index += length;
            return Math.Clamp(index, low, high);
        }
    }

    // ---- filters ----------------------------------------------------------------------------------------------------

    /// <summary>Applies the filter <paramref name="name"/>.</summary>
    public static object? ApplyFilter(JinjaRenderer r, string name, object? value, List<object?> args, Dictionary<string, object?> named, int offset)
    {
        object? Arg(int i, string key, object? fallback) => i < args.Count ? args[i] : named.TryGetValue(key, out var v) ? v : fallback;

        switch (name)
        {
            case "safe":
                return value;
            case "default" or "d":
                var useDefault = value is JinjaUndefined || (JinjaValues.IsTrue(Arg(1, "boolean", false)) && !JinjaValues.IsTrue(value));
                return useDefault ? Arg(0, "default_value", "") : value;
            case "length" or "count":
                return value switch
                {
                    string s => (long)s.Length,
                    List<object?> list => (long)list.Count,
                    OrderedDictionary<string, object?> dict => (long)dict.Count,
                    JinjaNamespace ns => (long)ns.Attributes.Count,
                    JinjaUndefined => 0L,
                    _ => throw r.Error($"'{name}' needs a string, list or dict, not a {JinjaValues.TypeName(value)}.", offset),
                };
            case "string":
                return JinjaValues.ToText(value);
            case "tojson":
                var indent = Arg(0, "indent", null);
                return JinjaValues.ToJson(value, indent is long n ? (int)n : null);
            case "list":
                return Items(r, value, name, offset).ToList();
            case "first":
                var firstItems = Items(r, value, name, offset);
                return firstItems.Count > 0 ? firstItems[0] : JinjaUndefined.Because("the first item of an empty sequence");
            case "last":
                var lastItems = Items(r, value, name, offset);
                return lastItems.Count > 0 ? lastItems[^1] : JinjaUndefined.Because("the last item of an empty sequence");
            case "reverse":
                return value is string rs ? new string(rs.Reverse().ToArray()) : Enumerable.Reverse(Items(r, value, name, offset)).ToList();
            case "unique":
                var unique = new List<object?>();
                foreach (var item in Items(r, value, name, offset))
                    if (!unique.Any(u => JinjaValues.AreEqual(u, item))) unique.Add(item);
                return unique;
            case "items":
                return value is OrderedDictionary<string, object?> map
                    ? map.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList()
                    : throw r.Error($"'items' needs a dict, not a {JinjaValues.TypeName(value)}.", offset);
            case "join":
                var separator = JinjaValues.ToText(Arg(0, "d", ""));
                var attribute = Arg(1, "attribute", null) as string;
                return string.Join(separator, Items(r, value, name, offset).Select(item => JinjaValues.ToText(attribute is null ? item : Attribute(item, attribute))));
            case "map":
                var items = Items(r, value, name, offset);
                if (named.TryGetValue("attribute", out var mapped) && mapped is string path)
                    return items.Select(item => Attribute(item, path) is JinjaUndefined && named.TryGetValue("default", out var fallback) ? fallback : Attribute(item, path)).ToList();
                if (args.Count > 0 && args[0] is string filter && Filters.Contains(filter) && filter != "map")
                    return items.Select(item => ApplyFilter(r, filter, item, args.Skip(1).ToList(), [], offset)).ToList();
                throw r.Error("'map' takes attribute='name' or the name of a filter.", offset);
            case "selectattr" or "rejectattr":
                var key = Arg(0, "attribute", null) as string ?? throw r.Error($"'{name}' needs an attribute name.", offset);
                return Select(r, value, name, args.Skip(1).ToList(), item => Attribute(item, key), keep: name == "selectattr", offset);
            case "select" or "reject":
                return Select(r, value, name, args, item => item, keep: name == "select", offset);
            case "trim":
                return Strip(TextOf(r, value, name, offset), Arg(0, "chars", null), both: true);
            case "upper":
                return TextOf(r, value, name, offset).ToUpperInvariant();
            case "lower":
                return TextOf(r, value, name, offset).ToLowerInvariant();
            case "capitalize":
                return Capitalize(TextOf(r, value, name, offset));
            case "title":
                return Title(TextOf(r, value, name, offset));
            case "replace":
                return JinjaValues.ToText(value).Replace(JinjaValues.ToText(Arg(0, "old", "")), JinjaValues.ToText(Arg(1, "new", "")), StringComparison.Ordinal);
            case "int":
                return value switch
                {
                    long l => l,
                    bool b => b ? 1L : 0L,
                    double d => (long)Math.Truncate(d),
                    string s when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => Arg(0, "default", 0L),
                };
            case "float":
                return value switch
                {
                    long or bool or double => JinjaValues.ToDouble(value),
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => Arg(0, "default", 0.0),
                };
            case "abs":
                return value switch
                {
                    long l => (object)Math.Abs(l),
                    double d => (object)Math.Abs(d),
                    _ => throw r.Error($"'abs' needs a number, not a {JinjaValues.TypeName(value)}.", offset),
                };
            default:
                throw r.Error($"unknown filter '{name}'.", offset);
        }
    }

    static string TextOf(JinjaRenderer r, object? value, string filter, int offset) => value switch
    {
        string s => s,
        JinjaUndefined u => throw r.Error($"'{filter}' cannot be applied to {u.Description}: it is undefined.", offset),
        _ => JinjaValues.ToText(value),
    };

    static List<object?> Items(JinjaRenderer r, object? value, string filter, int offset) => value switch
    {
        List<object?> list => list,
        string s => s.Select(c => (object?)c.ToString()).ToList(),
        OrderedDictionary<string, object?> dict => dict.Keys.Select(k => (object?)k).ToList(),
        JinjaUndefined u => throw r.Error($"'{filter}' cannot be applied to {u.Description}: it is undefined.", offset),
        _ => throw r.Error($"'{filter}' needs a list, not a {JinjaValues.TypeName(value)}.", offset),
    };

    /// <summary>A dotted attribute path (<c>function.name</c>) of a dict, undefined where it is missing.</summary>
    static object? Attribute(object? item, string path)
    {
        foreach (var part in path.Split('.'))
        {
            item = item is OrderedDictionary<string, object?> dict && dict.TryGetValue(part, out var value) ? value
                : item is JinjaNamespace ns && ns.Attributes.TryGetValue(part, out var attribute) ? attribute
                : JinjaUndefined.Because($"'{part}'");
        }
        return item;
    }

    static List<object?> Select(JinjaRenderer r, object? value, string filter, List<object?> testArgs, Func<object?, object?> subject, bool keep, int offset)
    {
        var test = testArgs.Count > 0 ? testArgs[0] as string ?? throw r.Error($"'{filter}' needs a test name.", offset) : null;
        if (test is not null && !Tests.Contains(test)) throw r.Error($"unknown test '{test}' in '{filter}'.", offset);
        var rest = testArgs.Skip(1).ToList();
        return Items(r, value, filter, offset)
            .Where(item => (test is null ? JinjaValues.IsTrue(subject(item)) : ApplyTest(r, test, subject(item), rest, offset)) == keep)
            .ToList();
    }

    // ---- tests ------------------------------------------------------------------------------------------------------

    /// <summary>Applies the test <paramref name="name"/>.</summary>
    public static bool ApplyTest(JinjaRenderer r, string name, object? value, List<object?> args, int offset)
    {
        object? Other() => args.Count > 0 ? args[0] : throw r.Error($"the test '{name}' needs a value to compare with.", offset);

        return name switch
        {
            "defined" => value is not JinjaUndefined,
            "undefined" => value is JinjaUndefined,
            "none" => value is null,
            "string" => value is string,
            "number" => value is long or double or bool,
            "integer" => value is long,
            "float" => value is double,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "mapping" => value is OrderedDictionary<string, object?>,
            "iterable" or "sequence" => value is string or List<object?> or OrderedDictionary<string, object?>,
            "equalto" or "eq" or "==" => JinjaValues.AreEqual(value, Other()),
            "ne" or "!=" => !JinjaValues.AreEqual(value, Other()),
            "sameas" => Other() is var other && (value is null or bool || other is null or bool ? Equals(value, other) : ReferenceEquals(value, other) || (value is string or long or double && Equals(value, other))),
            "even" => value is long e ? e % 2 == 0 : throw r.Error("'even' needs an integer.", offset),
            "odd" => value is long o ? o % 2 != 0 : throw r.Error("'odd' needs an integer.", offset),
            "divisibleby" => value is long n && Other() is long d && d != 0 ? n % d == 0 : throw r.Error("'divisibleby' needs two integers.", offset),
            "in" => r.Contains(Other(), value, offset),
            "lower" => value is string lower && string.Equals(lower, lower.ToLowerInvariant(), StringComparison.Ordinal),
            "upper" => value is string upper && string.Equals(upper, upper.ToUpperInvariant(), StringComparison.Ordinal),
            "gt" or "ge" or "lt" or "le" => Order(r, value, Other(), name, offset),
            _ => throw r.Error($"unknown test '{name}'.", offset),
        };
    }

    static bool Order(JinjaRenderer r, object? a, object? b, string test, int offset)
    {
        int order;
        if (JinjaValues.IsNumber(a) && JinjaValues.IsNumber(b)) order = JinjaValues.ToDouble(a).CompareTo(JinjaValues.ToDouble(b));
        else if (a is string x && b is string y) order = string.CompareOrdinal(x, y);
        else throw r.Error($"the test '{test}' cannot compare a {JinjaValues.TypeName(a)} with a {JinjaValues.TypeName(b)}.", offset);
        return test switch { "gt" => order > 0, "ge" => order >= 0, "lt" => order < 0, _ => order <= 0 };
    }
}
