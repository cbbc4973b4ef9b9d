using GradSentry.Templating;

namespace GradSentry.Tests.Templating;

/// <summary>The interpreter's Jinja subset, its whitespace rules (Hugging Face's trim_blocks and lstrip_blocks) and its errors.</summary>
public class JinjaTemplateTests
{
    static string Render(string template, Dictionary<string, object?>? variables = null) =>
        JinjaTemplate.Parse(template).Render(variables ?? []);

    static JinjaException ParseFails(string template) => Assert.ThrowsAny<JinjaException>(() => JinjaTemplate.Parse(template));

    static List<object?> Messages(params (string Role, string Content)[] turns) =>
        [.. turns.Select(t => (object?)new Dictionary<string, object?> { ["role"] = t.Role, ["content"] = t.Content })];

    [Theory]
    [InlineData("{{ 'a' + 'b' ~ 1 }}", "ab1")]
    [InlineData("{{ 7 // 2 }} {{ 7 / 2 }} {{ -7 % 3 }} {{ 2 ** 3 }}", "3 3.5 2 8")]
    [InlineData("{{ 1 == 1.0 and not (2 < 1) or false }}", "True")]
    [InlineData("{{ 'b' in 'abc' }} {{ 3 not in [1, 2] }}", "True True")]
    [InlineData("{{ none }} {{ true }} {{ [1, 'x'] }}", "None True [1, 'x']")]
    [InlineData("{{ 'yes' if 1 > 2 else 'no' }}", "no")]
    [InlineData("{{ {'k': 'v'}['k'] }}{{ {'k': 'v'}.k }}", "vv")]
    [InlineData("{{ 'abcdef'[1:3] }} {{ 'abcdef'[:-1] }} {{ [1, 2, 3][::-1] }} {{ [1, 2, 3][-1] }}", "bc abcde [3, 2, 1] 3")]
    [InlineData("{{ '  x  '.strip() }}|{{ 'Hi'.upper() }}|{{ 'a,b'.split(',') }}|{{ 'abc'.startswith('ab') }}", "x|HI|['a', 'b']|True")]
    public void ExpressionsFollowPythonSemantics(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{ '  x ' | trim }}", "x")]
    [InlineData("{{ [1, 2, 3] | length }} {{ 'abc' | count }}", "3 3")]
    [InlineData("{{ missing | default('d') }} {{ '' | default('d', true) }}", "d d")]
    [InlineData("{{ ['a', 'b'] | join(', ') }}", "a, b")]
    [InlineData("{{ 'ab' | upper }}{{ 'AB' | lower }}{{ 'ab cd' | title }}{{ 'aB' | capitalize }}", "ABabAb CdAb")]
    [InlineData("{{ [1, 2] | first }}{{ [1, 2] | last }}{{ [1, 2] | reverse | list }}", "12[2, 1]")]
    [InlineData("{{ {'a': 1, 'b': [true, none, 'é\"']} | tojson }}", "{\"a\": 1, \"b\": [true, null, \"é\\\"\"]}")]
    [InlineData("{{ 3 | string + 'x' }} {{ '4' | int + 1 }} {{ -2 | abs }}", "3x 5 2")]
    [InlineData("{{ 'aXa' | replace('a', 'b') }}", "bXb")]
    public void FiltersDoWhatJinjaDoes(string template, string expected) => Assert.Equal(expected, Render(template));

    [Fact]
    public void SelectattrMapAndItemsWorkOnMessageLists() =>
        Assert.Equal("u1,u2|user,assistant,user|k=v",
            Render("{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}|"
                   + "{{ messages | map(attribute='role') | join(',') }}|{% for k, v in {'k': 'v'}.items() %}{{ k }}={{ v }}{% endfor %}",
                new() { ["messages"] = Messages(("user", "u1"), ("assistant", "a"), ("user", "u2")) }));

    [Theory]
    [InlineData("{{ x is defined }} {{ y is defined }} {{ y is undefined }}", "True False True")]
    [InlineData("{{ n is none }} {{ x is not none }} {{ x is string }} {{ 3 is number }} {{ 4 is even }}", "True True True True True")]
    [InlineData("{{ x is equalto 'v' }} {{ {} is mapping }} {{ 6 is divisibleby(3) }}", "True True True")]
    public void TestsDoWhatJinjaDoes(string template, string expected) =>
        Assert.Equal(expected, Render(template, new() { ["x"] = "v", ["n"] = null }));

    [Fact]
    public void LoopVariablesCountFromZeroAndOne() =>
        Assert.Equal("0/1/T/F 1/2/F/F 2/3/F/T ",
            Render("{% for m in items %}{{ loop.index0 }}/{{ loop.index }}/{{ 'T' if loop.first else 'F' }}/{{ 'T' if loop.last else 'F' }} {% endfor %}",
                new() { ["items"] = new List<object?> { "a", "b", "c" } }));

    [Fact]
    public void LoopFilterElseBreakAndContinue() =>
        Assert.Equal("1,3,|empty|0 1 ",
            Render("{% for x in [1, 2, 3] if x != 2 %}{{ x }},{% endfor %}|{% for x in [] %}x{% else %}empty{% endfor %}|"
                   + "{% for x in range(10) %}{% if x == 2 %}{% break %}{% endif %}{% if x > 5 %}{% continue %}{% endif %}{{ x }} {% endfor %}"));

    [Fact]
    public void SetInsideALoopStaysInTheLoopButANamespaceCarriesOut() =>
        Assert.Equal("outer 3",
            Render("{% set v = 'outer' %}{% set ns = namespace(count=0) %}{% for x in [1, 2, 3] %}{% set v = 'inner' %}{% set ns.count = ns.count + 1 %}{% endfor %}{{ v }} {{ ns.count }}"));

    [Fact]
    public void SetInsideAnIfIsVisibleAfterIt() =>
        Assert.Equal("s", Render("{% if true %}{% set system = 's' %}{% endif %}{{ system }}"));

    [Fact]
    public void IfElifElseChoosesOneBranch() =>
        Assert.Equal("b", Render("{% if x == 1 %}a{% elif x == 2 %}b{% else %}c{% endif %}", new() { ["x"] = 2L }));

    [Fact]
    public void MinusMarkersStripWhitespaceOnTheirSide() =>
        Assert.Equal("a|b|c", Render("a  \n  {{- '|' -}}  \n b {%- if true -%} | {%- endif -%}\n\n c"));

    [Fact]
    public void BlockTagsDropTheirLineIndentAndTheNewlineAfterThem() =>
        // trim_blocks + lstrip_blocks, as apply_chat_template renders: statement tags on their own lines leave no trace.
        Assert.Equal("xend", Render("{% if true %}\n    {% if true %}x{% endif %}\n{% endif %}\nend"));

    [Fact]
    public void TheIndentBeforeAnExpressionTagStays() =>
        Assert.Equal("    x\n    y\n", Render("{% for v in ['x', 'y'] %}\n    {{ v }}\n{% endfor %}\n"));

    [Fact]
    public void ExpressionTagsKeepTheirSurroundingWhitespace() =>
        Assert.Equal("  a\n", Render("  {{ 'a' }}\n"));

    [Fact]
    public void CommentsRenderNothing() =>
        Assert.Equal("ab", Render("a{# a comment {{ x }} #}b"));

    [Fact]
    public void StringEscapesAreDecoded() =>
        Assert.Equal("a\nb\t'\"\\", Render("{{ 'a\\nb\\t\\'\"\\\\' }}"));

    [Fact]
    public void RaiseExceptionCarriesTheTemplatesMessageAndPosition()
    {
        var error = Assert.Throws<JinjaRaisedException>(() => Render("line one\n{% if true %}{{ raise_exception('No system messages!') }}{% endif %}"));
        Assert.Equal("No system messages!", error.Problem);
        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("Hello {{ name", "line 1, column 7", "never closed (missing '}}')")]
    [InlineData("{% if x %}open", "line 1, column 4", "'{% if %}' is never closed (missing '{% endif %}')")]
    [InlineData("{% for m in messages %}\n{{ m | frobnicate }}{% endfor %}", "line 2, column 8", "unknown filter 'frobnicate'")]
    [InlineData("{{ x is shiny }}", "line 1, column 9", "unknown test 'shiny'")]
    [InlineData("{{ launch() }}", "line 1, column 4", "unknown function 'launch'")]
    [InlineData("{% macro m() %}{% endmacro %}", "line 1, column 4", "'{% macro %}' is not supported")]
    [InlineData("{% endif %}", "line 1, column 4", "without an open block")]
    [InlineData("{{ 'abc }}", "line 1, column 4", "string is never closed")]
    [InlineData("{{ a $ b }}", "line 1, column 6", "unexpected character '$'")]
    [InlineData("{# never closed", "line 1, column 1", "comment '{#' is never closed")]
    [InlineData("{{ (1 + }}", "line 1, column 9", "expected a value")]
    public void InvalidTemplatesFailWithTheirPosition(string template, string position, string problem)
    {
        var error = ParseFails(template);
        Assert.StartsWith(position + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ 'a' + 1 }}", "cannot apply '+' to a string and a integer")]
    [InlineData("{{ missing.attribute }}", "cannot read '.attribute' of 'missing': it is undefined")]
    [InlineData("{{ 1 // 0 }}", "division by zero")]
    [InlineData("{% for x in 3 %}{% endfor %}", "cannot loop over a integer")]
    public void RuntimeErrorsAreTemplateErrorsNotCrashes(string template, string problem) =>
        Assert.Contains(problem, Assert.Throws<JinjaException>(() => Render(template)).Problem, StringComparison.Ordinal);

    [Fact]
    public void UndefinedPrintsNothingAndIsFalse() =>
        Assert.Equal("[]no", Render("[{{ nothing }}]{% if nothing %}yes{% else %}no{% endif %}"));
}
