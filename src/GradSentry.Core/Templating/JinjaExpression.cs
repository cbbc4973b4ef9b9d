namespace GradSentry.Templating;

/// <summary>An expression of a template; <see cref="Offset"/> is where it starts in the template text (for errors).</summary>
internal abstract record JinjaExpression(int Offset)
{
    /// <summary>A string, number, boolean or <c>none</c>.</summary>
    public sealed record Literal(int Offset, object? Value) : JinjaExpression(Offset);

    /// <summary>A variable or global function name.</summary>
    public sealed record Variable(int Offset, string Identifier) : JinjaExpression(Offset);

    /// <summary><c>[a, b]</c> or a tuple <c>(a, b)</c> (both evaluate to a list).</summary>
    public sealed record ListLiteral(int Offset, IReadOnlyList<JinjaExpression> Items) : JinjaExpression(Offset);

    /// <summary><c>{'key': value, ...}</c>.</summary>
    public sealed record DictLiteral(int Offset, IReadOnlyList<(JinjaExpression Key, JinjaExpression Value)> Items) : JinjaExpression(Offset);

    /// <summary><c>target.name</c>.</summary>
    public sealed record Attribute(int Offset, JinjaExpression Target, string Name) : JinjaExpression(Offset);

    /// <summary><c>target[key]</c>.</summary>
    public sealed record Index(int Offset, JinjaExpression Target, JinjaExpression Key) : JinjaExpression(Offset);

    /// <summary><c>target[start:stop:step]</c>, each part optional.</summary>
    public sealed record Slice(int Offset, JinjaExpression Target, JinjaExpression? Start, JinjaExpression? Stop, JinjaExpression? Step) : JinjaExpression(Offset);

    /// <summary><c>callee(args, name=value)</c>: a global function or a method (<c>text.strip()</c>).</summary>
    public sealed record Call(int Offset, JinjaExpression Callee, IReadOnlyList<JinjaExpression> Arguments, IReadOnlyList<(string Name, JinjaExpression Value)> Named) : JinjaExpression(Offset);

    /// <summary><c>target | name(args)</c>.</summary>
    public sealed record Filter(int Offset, JinjaExpression Target, string Name, IReadOnlyList<JinjaExpression> Arguments, IReadOnlyList<(string Name, JinjaExpression Value)> Named) : JinjaExpression(Offset);

    /// <summary><c>target is [not] name(args)</c>.</summary>
    public sealed record Test(int Offset, JinjaExpression Target, string Name, IReadOnlyList<JinjaExpression> Arguments, bool Negated) : JinjaExpression(Offset);

    /// <summary><c>not x</c>, <c>-x</c>, <c>+x</c>.</summary>
    public sealed record Unary(int Offset, string Operator, JinjaExpression Operand) : JinjaExpression(Offset);

    /// <summary>Arithmetic, <c>~</c>, comparisons, <c>in</c> / <c>not in</c>, <c>and</c> / <c>or</c>.</summary>
    public sealed record Binary(int Offset, string Operator, JinjaExpression Left, JinjaExpression Right) : JinjaExpression(Offset);

    /// <summary><c>then if condition else otherwise</c> (<c>otherwise</c> may be absent: undefined).</summary>
    public sealed record Conditional(int Offset, JinjaExpression Then, JinjaExpression Condition, JinjaExpression? Otherwise) : JinjaExpression(Offset);
}
