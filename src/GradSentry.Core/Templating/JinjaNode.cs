namespace GradSentry.Templating;

/// <summary>A statement of a template; <see cref="Offset"/> is where its tag starts in the template text.</summary>
internal abstract record JinjaNode(int Offset)
{
    /// <summary>Literal text.</summary>
    public sealed record Text(int Offset, string Value) : JinjaNode(Offset);

    /// <summary><c>{{ expression }}</c>.</summary>
    public sealed record Output(int Offset, JinjaExpression Value) : JinjaNode(Offset);

    /// <summary><c>{% if %}...{% elif %}...{% else %}...{% endif %}</c>.</summary>
    public sealed record If(int Offset, IReadOnlyList<(JinjaExpression Condition, IReadOnlyList<JinjaNode> Body)> Branches, IReadOnlyList<JinjaNode> Otherwise) : JinjaNode(Offset);

    /// <summary><c>{% for a[, b] in items [if condition] %}...{% else %}...{% endfor %}</c>.</summary>
    public sealed record For(int Offset, IReadOnlyList<string> Targets, JinjaExpression Items, JinjaExpression? Condition, IReadOnlyList<JinjaNode> Body, IReadOnlyList<JinjaNode> Otherwise) : JinjaNode(Offset);

    /// <summary><c>{% set name = value %}</c> or <c>{% set ns.attribute = value %}</c>.</summary>
    public sealed record Set(int Offset, string Name, string? Attribute, JinjaExpression Value) : JinjaNode(Offset);

    /// <summary><c>{% break %}</c>.</summary>
    public sealed record Break(int Offset) : JinjaNode(Offset);

    /// <summary><c>{% continue %}</c>.</summary>
    public sealed record Continue(int Offset) : JinjaNode(Offset);
}
