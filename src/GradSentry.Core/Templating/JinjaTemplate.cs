namespace GradSentry.Templating;

/// <summary>
/// A Jinja template in the subset Hugging Face <c>chat_template</c> strings use, rendered the way
/// <c>tokenizer.apply_chat_template</c> renders them (<c>trim_blocks</c> and <c>lstrip_blocks</c> on, undefined values
/// print as nothing).
/// </summary>
/// <remarks>
/// Supported: <c>{{ }}</c>, <c>{% if/elif/else/endif %}</c>, <c>{% for a[, b] in xs [if c] %}</c> (with <c>else</c>,
/// <c>break</c>, <c>continue</c> and <c>loop.index0/index/first/last/length/revindex</c>), <c>{% set x = ... %}</c>,
/// <c>namespace()</c> and <c>{% set ns.x = ... %}</c>, <c>{# comments #}</c>, <c>{%- -%}</c> / <c>{{- -}}</c> whitespace control,
/// string, number, list and dict literals, <c>+ - * / // % ** ~</c>, comparisons, <c>and/or/not</c>, <c>in</c>,
/// <c>is [not] defined/none/string/...</c>, attributes and indexing (<c>message.content</c>, <c>message['role']</c>),
/// slices (<c>messages[1:]</c>), inline <c>if/else</c>, the filters in <see cref="FilterNames"/>, string and dict methods
/// (<c>strip</c>, <c>startswith</c>, <c>items</c>, ...), <c>raise_exception('...')</c> and <c>range()</c>. Anything else
/// (macros, includes, unknown filters) fails when the template is parsed, with its line and column.
/// </remarks>
public sealed class JinjaTemplate
{
    readonly string _source;
    readonly IReadOnlyList<JinjaNode> _nodes;

    JinjaTemplate(string source, IReadOnlyList<JinjaNode> nodes)
    {
        _source = source;
        _nodes = nodes;
    }

    /// <summary>The filters templates may use.</summary>
    public static IReadOnlyCollection<string> FilterNames => JinjaBuiltins.Filters;

    /// <summary>The template text.</summary>
    public string Source => _source;

    /// <summary>The literal text the template can write: its text between tags and its string literals.</summary>
    internal IEnumerable<string> LiteralTexts() =>
        JinjaLexer.Lex(_source).SelectMany(segment => segment switch
        {
            JinjaSegment.Text text => [text.Value],
            JinjaSegment.Output output => output.Tokens.Where(t => t.Kind == JinjaTokenKind.String).Select(t => (string)t.Value!),
            JinjaSegment.Statement statement => statement.Tokens.Where(t => t.Kind == JinjaTokenKind.String).Select(t => (string)t.Value!),
            _ => [],
        });

    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <exception cref="JinjaException">Syntax this interpreter does not know, an unterminated tag, an unknown filter, test or
    /// function (the exception carries the line and column).</exception>
    public static JinjaTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new JinjaTemplate(source, JinjaParser.Parse(source));
    }

    /// <summary>
    /// Renders the template. Variables may be strings, booleans, integers, floats, <see langword="null"/> (none), lists,
    /// string-keyed dictionaries and <see cref="System.Text.Json.JsonElement"/> values; variables not given are undefined.
    /// </summary>
    /// <exception cref="JinjaRaisedException">The template called <c>raise_exception</c>; the message is the template's.</exception>
    /// <exception cref="JinjaException">A runtime error (a type error, an undefined value used), with its line and column.</exception>
    /// <exception cref="ArgumentException">A variable of a type templates cannot hold.</exception>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var globals = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in variables) globals[name] = JinjaValues.From(value);
        return JinjaRenderer.Render(_source, _nodes, globals);
    }
}
