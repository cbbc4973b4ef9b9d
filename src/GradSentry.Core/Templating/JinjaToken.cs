namespace GradSentry.Templating;

/// <summary>The kinds of token inside a <c>{{ }}</c> or <c>{% %}</c> tag.</summary>
internal enum JinjaTokenKind
{
    /// <summary>A name or keyword (<c>message</c>, <c>if</c>, <c>and</c>, <c>true</c>).</summary>
    Name,
    /// <summary>A string literal; <see cref="JinjaToken.Value"/> is its decoded text.</summary>
    String,
    /// <summary>An integer literal; <see cref="JinjaToken.Value"/> is a <see cref="long"/>.</summary>
    Integer,
    /// <summary>A float literal; <see cref="JinjaToken.Value"/> is a <see cref="double"/>.</summary>
    Float,
    /// <summary>An operator or punctuation (<c>==</c>, <c>|</c>, <c>[</c>, <c>,</c>).</summary>
    Operator,
    /// <summary>The end of the tag.</summary>
    End,
}

/// <summary>One token of a tag, at <paramref name="Offset"/> (UTF-16 index into the template text).</summary>
internal readonly record struct JinjaToken(JinjaTokenKind Kind, string Text, int Offset, object? Value = null)
{
    /// <summary>True for the operator <paramref name="op"/>.</summary>
    public bool IsOperator(string op) => Kind == JinjaTokenKind.Operator && Text == op;

    /// <summary>True for the name or keyword <paramref name="name"/>.</summary>
    public bool IsName(string name) => Kind == JinjaTokenKind.Name && Text == name;

    /// <summary>How an error message shows the token.</summary>
    public string Describe() => Kind switch
    {
        JinjaTokenKind.End => "the end of the tag",
        JinjaTokenKind.String => "a string",
        _ => $"'{Text}'",
    };
}

/// <summary>A piece of template source: literal text, an output tag <c>{{ }}</c> or a statement tag <c>{% %}</c>.</summary>
internal abstract record JinjaSegment(int Offset)
{
    /// <summary>Text copied to the output (whitespace control already applied).</summary>
    public sealed record Text(int Offset, string Value) : JinjaSegment(Offset);

    /// <summary>An expression to print; the tokens end with <see cref="JinjaTokenKind.End"/>.</summary>
    public sealed record Output(int Offset, IReadOnlyList<JinjaToken> Tokens) : JinjaSegment(Offset);

    /// <summary>A statement (<c>if</c>, <c>for</c>, <c>set</c>, ...); the tokens end with <see cref="JinjaTokenKind.End"/>.</summary>
    public sealed record Statement(int Offset, IReadOnlyList<JinjaToken> Tokens) : JinjaSegment(Offset);
}
