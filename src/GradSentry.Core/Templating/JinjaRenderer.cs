using System.Text;

namespace GradSentry.Templating;

/// <summary>
/// Runs parsed statements against variables. Scoping follows Jinja: <c>set</c> inside a <c>for</c> body is local to
/// that iteration (templates carry values out of a loop with <c>namespace()</c>); <c>if</c> opens no scope.
/// </summary>
internal sealed class JinjaRenderer
{
    /// <summary>Upper bound on loop iterations of one render, so a template cannot spin forever on a huge range.</summary>
    const long MaxIterations = 10_000_000;

    readonly string _source;
    readonly List<Dictionary<string, object?>> _scopes;
    readonly StringBuilder _output = new();
    long _iterations;

    JinjaRenderer(string source, Dictionary<string, object?> globals)
    {
        _source = source;
        _scopes = [globals, new Dictionary<string, object?>(StringComparer.Ordinal)];
    }

    /// <summary>Renders <paramref name="nodes"/> of <paramref name="source"/> with <paramref name="globals"/> (already in the value model).</summary>
    /// <exception cref="JinjaRaisedException">The template called <c>raise_exception</c>.</exception>
    /// <exception cref="JinjaException">A type error, an undefined value used, or another runtime error (with its position).</exception>
    public static string Render(string source, IReadOnlyList<JinjaNode> nodes, Dictionary<string, object?> globals)
    {
        var renderer = new JinjaRenderer(source, globals);
        renderer.Run(nodes);
        return renderer._output.ToString();
    }

    /// <summary>The 1-based line and column of <paramref name="offset"/> in the template.</summary>
    public (int Line, int Column) PositionOf(int offset) => JinjaLexer.Position(_source, offset);

    /// <summary>An error at <paramref name="offset"/> of the template.</summary>
    public JinjaException Error(string problem, int offset)
    {
        var (line, column) = JinjaLexer.Position(_source, offset);
        return new JinjaException(problem, line, column);
    }

    enum Flow { Normal, Break, Continue }

    Flow Run(IReadOnlyList<JinjaNode> nodes)
    {
        foreach (var node in nodes)
        {
            var flow = Run(node);
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    Flow Run(JinjaNode node)
    {
        switch (node)
        {
            case JinjaNode.Text text:
                _output.Append(text.Value);
                return Flow.Normal;
            case JinjaNode.Output output:
                _output.Append(JinjaValues.ToText(Evaluate(output.Value)));
                return Flow.Normal;
            case JinjaNode.If conditional:
                foreach (var (condition, body) in conditional.Branches)
                    if (JinjaValues.IsTrue(Evaluate(condition))) return Run(body);
                return Run(conditional.Otherwise);
            case JinjaNode.For loop:
                return RunFor(loop);
            case JinjaNode.Set set:
                Assign(set);
                return Flow.Normal;
            case JinjaNode.Break:
                return Flow.Break;
            case JinjaNode.Continue:
                return Flow.Continue;
            default:
                throw Error("internal error: unknown statement.", node.Offset);
        }
    }

    Flow RunFor(JinjaNode.For loop)
    {
        var source = Evaluate(loop.Items);
        List<object?> items = source switch
        {
            List<object?> list => [.. list],
            string s => [.. s.Select(c => (object?)c.ToString())],
            OrderedDictionary<string, object?> dict => [.. dict.Keys],
            JinjaUndefined u => throw Error($"cannot loop over {u.Description}: it is undefined.", loop.Items.Offset),
            _ => throw Error($"cannot loop over a {JinjaValues.TypeName(source)}.", loop.Items.Offset),
        };
        if (loop.Condition is not null)
        {
            // The loop's own filter runs before 'loop' exists, so loop.length counts only the kept items.
            items = items.Where(item =>
            {
                _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal));
                try
                {
                    Bind(loop, item);
                    return JinjaValues.IsTrue(Evaluate(loop.Condition));
                }
                finally
                {
                    _scopes.RemoveAt(_scopes.Count - 1);
                }
            }).ToList();
        }
        if (items.Count == 0) return Run(loop.Otherwise);
        for (var i = 0; i < items.Count; i++)
        {
            if (++_iterations > MaxIterations) throw Error($"the template looped more than {MaxIterations:N0} times.", loop.Offset);
            _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["loop"] = new JinjaLoop(i, items.Count, i > 0 ? items[i - 1] : null, i + 1 < items.Count ? items[i + 1] : null),
            });
            try
            {
                Bind(loop, items[i]);
                if (Run(loop.Body) == Flow.Break) break;
            }
            finally
            {
                _scopes.RemoveAt(_scopes.Count - 1);
            }
        }
        return Flow.Normal;
    }

    void Bind(JinjaNode.For loop, object? item)
    {
        var scope = _scopes[^1];
        if (loop.Targets.Count == 1)
        {
            scope[loop.Targets[0]] = item;
            return;
        }
        if (item is not List<object?> parts || parts.Count != loop.Targets.Count)
            throw Error($"cannot unpack a {JinjaValues.TypeName(item)} into {loop.Targets.Count} loop variables.", loop.Offset);
        for (var i = 0; i < parts.Count; i++) scope[loop.Targets[i]] = parts[i];
    }

    void Assign(JinjaNode.Set set)
    {
        var value = Evaluate(set.Value);
        if (set.Attribute is null)
        {
            _scopes[^1][set.Name] = value;
            return;
        }
        if (Lookup(set.Name) is not JinjaNamespace ns)
            throw Error($"'{set.Name}.{set.Attribute}' can be set only when '{set.Name}' is a namespace().", set.Offset);
        ns.Attributes[set.Attribute] = value;
    }

    object? Lookup(string name)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
            if (_scopes[i].TryGetValue(name, out var value)) return value;
        return JinjaUndefined.Because($"'{name}'");
    }

    // ---- expressions ------------------------------------------------------------------------------------------------

    /// <summary>The value of <paramref name="expression"/>.</summary>
    public object? Evaluate(JinjaExpression expression)
    {
        switch (expression)
        {
            case JinjaExpression.Literal literal:
                return literal.Value;
            case JinjaExpression.Variable name:
                return Lookup(name.Identifier);
            case JinjaExpression.ListLiteral list:
                return list.Items.Select(Evaluate).ToList();
            case JinjaExpression.DictLiteral dict:
                return JinjaValues.Dict(dict.Items.Select(p => new KeyValuePair<string, object?>(
                    Evaluate(p.Key) is string key ? key : throw Error("dictionary keys must be strings.", p.Key.Offset), Evaluate(p.Value))));
            case JinjaExpression.Attribute attribute:
                return GetAttribute(Evaluate(attribute.Target), attribute.Name, attribute.Offset);
            case JinjaExpression.Index index:
                return GetItem(Evaluate(index.Target), Evaluate(index.Key), index.Offset);
            case JinjaExpression.Slice slice:
                return JinjaBuiltins.Slice(this, Evaluate(slice.Target), Optional(slice.Start), Optional(slice.Stop), Optional(slice.Step), slice.Offset);
            case JinjaExpression.Call call:
                return EvaluateCall(call);
            case JinjaExpression.Filter filter:
                return JinjaBuiltins.ApplyFilter(this, filter.Name, Evaluate(filter.Target),
                    filter.Arguments.Select(Evaluate).ToList(), filter.Named.ToDictionary(p => p.Name, p => Evaluate(p.Value)), filter.Offset);
            case JinjaExpression.Test test:
                var passed = JinjaBuiltins.ApplyTest(this, test.Name, Evaluate(test.Target), test.Arguments.Select(Evaluate).ToList(), test.Offset);
                return passed != test.Negated;
            case JinjaExpression.Unary unary:
                return EvaluateUnary(unary);
            case JinjaExpression.Binary binary:
                return EvaluateBinary(binary);
            case JinjaExpression.Conditional conditional:
                return JinjaValues.IsTrue(Evaluate(conditional.Condition))
                    ? Evaluate(conditional.Then)
                    : conditional.Otherwise is null ? JinjaUndefined.Because("the missing 'else' of an inline if") : Evaluate(conditional.Otherwise);
            default:
                throw Error("internal error: unknown expression.", expression.Offset);
        }
    }

    object? Optional(JinjaExpression? expression) => expression is null ? null : Evaluate(expression);

    object? GetAttribute(object? target, string name, int offset) => target switch
    {
        OrderedDictionary<string, object?> dict => dict.TryGetValue(name, out var value) ? value : JinjaUndefined.Because($"'{name}' (the dict has no such key)"),
        JinjaNamespace ns => ns.Attributes.TryGetValue(name, out var value) ? value : JinjaUndefined.Because($"'{name}' (the namespace has no such attribute)"),
        JinjaLoop loop => loop.Get(name),
        JinjaUndefined u => throw Error($"cannot read '.{name}' of {u.Description}: it is undefined.", offset),
        _ => JinjaUndefined.Because($"'{name}' (a {JinjaValues.TypeName(target)} has no such attribute)"),
    };

    object? GetItem(object? target, object? key, int offset)
    {
        switch (target)
        {
            case List<object?> list when key is long or bool:
                var i = (long)JinjaValues.ToDouble(key);
                if (i < 0) i += list.Count;
                return i >= 0 && i < list.Count ? list[(int)i] : JinjaUndefined.Because($"item {key} (the list has {list.Count})");
            case string s when key is long or bool:
                var j = (long)JinjaValues.ToDouble(key);
                if (j < 0) j += s.Length;
                return j >= 0 && j < s.Length ? s[(int)j].ToString() : JinjaUndefined.Because($"character {key} (the string has {s.Length})");
            case OrderedDictionary<string, object?> dict when key is string name:
                return dict.TryGetValue(name, out var value) ? value : JinjaUndefined.Because($"'{name}' (the dict has no such key)");
            case JinjaUndefined u:
                throw Error($"cannot index {u.Description}: it is undefined.", offset);
            default:
                return key is string attribute ? GetAttribute(target, attribute, offset)
                    : throw Error($"cannot index a {JinjaValues.TypeName(target)} with a {JinjaValues.TypeName(key)}.", offset);
        }
    }

    object? EvaluateCall(JinjaExpression.Call call)
    {
        var arguments = call.Arguments.Select(Evaluate).ToList();
        var named = call.Named.ToDictionary(p => p.Name, p => Evaluate(p.Value));
        return call.Callee switch
        {
            JinjaExpression.Variable function => JinjaBuiltins.CallFunction(this, function.Identifier, arguments, named, call.Offset),
            JinjaExpression.Attribute method => JinjaBuiltins.CallMethod(this, Evaluate(method.Target), method.Name, arguments, call.Offset),
            _ => throw Error("only functions and methods can be called.", call.Offset),
        };
    }

    object? EvaluateUnary(JinjaExpression.Unary unary)
    {
        var value = Evaluate(unary.Operand);
        if (unary.Operator == "not") return !JinjaValues.IsTrue(value);
        return value switch
        {
            // Each arm boxed on its own: a switch over long and double would otherwise make every result a double.
            long l => (object)(unary.Operator == "-" ? -l : l),
            double d => (object)(unary.Operator == "-" ? -d : d),
            bool b => (object)(unary.Operator == "-" ? -(b ? 1L : 0L) : (b ? 1L : 0L)),
            _ => throw Error($"'{unary.Operator}' needs a number, not a {JinjaValues.TypeName(value)}{Undefined(value)}.", unary.Offset),
        };
    }

    object? EvaluateBinary(JinjaExpression.Binary binary)
    {
        // 'and' / 'or' return one of their operands and evaluate the right one only when needed, as in Python.
        if (binary.Operator == "and")
        {
            var left = Evaluate(binary.Left);
            return JinjaValues.IsTrue(left) ? Evaluate(binary.Right) : left;
        }
        if (binary.Operator == "or")
        {
            var left = Evaluate(binary.Left);
            return JinjaValues.IsTrue(left) ? left : Evaluate(binary.Right);
        }
        var a = Evaluate(binary.Left);
        var b = Evaluate(binary.Right);
        switch (binary.Operator)
        {
            case "==": return JinjaValues.AreEqual(a, b);
            case "!=": return !JinjaValues.AreEqual(a, b);
            case "~": return JinjaValues.ToText(a) + JinjaValues.ToText(b);
            case "in": return Contains(b, a, binary.Offset);
            case "not in": return !Contains(b, a, binary.Offset);
            case "<" or ">" or "<=" or ">=":
                var order = Compare(a, b, binary);
                return binary.Operator switch { "<" => order < 0, ">" => order > 0, "<=" => order <= 0, _ => order >= 0 };
            case "+":
                if (a is string sa && b is string sb) return sa + sb;
                if (a is List<object?> la && b is List<object?> lb) return la.Concat(lb).ToList();
                break;
            case "*":
                if (a is string text && b is long times) return times <= 0 ? "" : string.Concat(Enumerable.Repeat(text, (int)Math.Min(times, 1_000_000)));
                break;
        }
        if (JinjaValues.IsNumber(a) && JinjaValues.IsNumber(b)) return Arithmetic(binary, a, b);
        throw Error($"cannot apply '{binary.Operator}' to a {JinjaValues.TypeName(a)}{Undefined(a)} and a {JinjaValues.TypeName(b)}{Undefined(b)}.", binary.Offset);
    }

    static string Undefined(object? value) => value is JinjaUndefined u ? $" ({u.Description})" : "";

    object? Arithmetic(JinjaExpression.Binary binary, object? a, object? b)
    {
        var integers = a is long or bool && b is long or bool;
        var x = JinjaValues.ToDouble(a);
        var y = JinjaValues.ToDouble(b);
        if (binary.Operator is "/" or "//" or "%" && y == 0) throw Error("division by zero.", binary.Offset);
        return binary.Operator switch
        {
            // Integers stay integers (boxed as long), as in Python; '/' always gives a float.
            "+" => integers ? (object)((long)x + (long)y) : x + y,
            "-" => integers ? (object)((long)x - (long)y) : x - y,
            "*" => integers ? (object)((long)x * (long)y) : x * y,
            "/" => x / y,
            "//" => integers ? (object)(long)Math.Floor(x / y) : Math.Floor(x / y),
            // Python's modulo takes the divisor's sign.
            "%" => integers ? (object)(long)(x - y * Math.Floor(x / y)) : x - y * Math.Floor(x / y),
            "**" => integers && y >= 0 ? (object)(long)Math.Pow(x, y) : Math.Pow(x, y),
            _ => throw Error($"unknown operator '{binary.Operator}'.", binary.Offset),
        };
    }

    int Compare(object? a, object? b, JinjaExpression.Binary binary)
    {
        if (JinjaValues.IsNumber(a) && JinjaValues.IsNumber(b)) return JinjaValues.ToDouble(a).CompareTo(JinjaValues.ToDouble(b));
        if (a is string sa && b is string sb) return string.CompareOrdinal(sa, sb);
        throw Error($"cannot compare a {JinjaValues.TypeName(a)}{Undefined(a)} with a {JinjaValues.TypeName(b)}{Undefined(b)} using '{binary.Operator}'.", binary.Offset);
    }

    /// <summary>Python's <c>item in container</c>.</summary>
    public bool Contains(object? container, object? item, int offset) => container switch
    {
        string s when item is string part => s.Contains(part, StringComparison.Ordinal),
        List<object?> list => list.Any(x => JinjaValues.AreEqual(x, item)),
        OrderedDictionary<string, object?> dict => item is string key && dict.ContainsKey(key),
        JinjaNamespace ns => item is string key && ns.Attributes.ContainsKey(key),
        _ => throw Error($"cannot test membership in a {JinjaValues.TypeName(container)}{Undefined(container)}.", offset),
    };
}
