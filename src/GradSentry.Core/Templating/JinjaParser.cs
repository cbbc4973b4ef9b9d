namespace GradSentry.Templating;

/// <summary>
/// Parses template source into statements. Unknown statements, filters, tests and functions are errors here, at parse
/// time, so a template the interpreter cannot render fails before the first row rather than on some row.
/// </summary>
internal sealed class JinjaParser
{
    /// <summary>Statements of full Jinja that chat templates do not need; named in the error so the user knows why.</summary>
    static readonly HashSet<string> Unsupported = ["macro", "call", "filter", "include", "import", "from", "extends", "block", "raw", "with", "autoescape", "do", "endmacro", "endcall"];

    /// <summary>Names after <c>is name</c> that end the test instead of being its argument.</summary>
    static readonly HashSet<string> NotATestArgument = ["and", "or", "else", "if", "not", "in", "is"];

    readonly string _source;
    readonly IReadOnlyList<JinjaSegment> _segments;
    int _segment;
    IReadOnlyList<JinjaToken> _tokens = [];
    int _t;
    int _loopDepth;

    JinjaParser(string source, IReadOnlyList<JinjaSegment> segments)
    {
        _source = source;
        _segments = segments;
    }

    /// <summary>The statements of <paramref name="source"/>.</summary>
    /// <exception cref="JinjaException">The source is not a template this interpreter can render (the message says where and why).</exception>
    public static IReadOnlyList<JinjaNode> Parse(string source)
    {
        var parser = new JinjaParser(source, JinjaLexer.Lex(source));
        return parser.ParseBody([], "", 0, out _);
    }

    JinjaException Error(string problem, int offset)
    {
        var (line, column) = JinjaLexer.Position(_source, offset);
        return new JinjaException(problem, line, column);
    }

    // ---- statements -------------------------------------------------------------------------------------------------

    /// <summary>Statements up to one of <paramref name="ends"/> (consumed; the tag's remaining tokens are current).</summary>
    List<JinjaNode> ParseBody(string[] ends, string opener, int openerOffset, out string end)
    {
        var body = new List<JinjaNode>();
        while (_segment < _segments.Count)
        {
            var segment = _segments[_segment++];
            switch (segment)
            {
                case JinjaSegment.Text text:
                    body.Add(new JinjaNode.Text(text.Offset, text.Value));
                    break;
                case JinjaSegment.Output output:
                    Begin(output.Tokens);
                    var value = ParseExpression();
                    ExpectEnd("'}}'");
                    body.Add(new JinjaNode.Output(output.Offset, value));
                    break;
                case JinjaSegment.Statement statement:
                    Begin(statement.Tokens);
                    var keyword = Peek();
                    if (keyword.Kind != JinjaTokenKind.Name) throw Error($"a statement must start with a keyword such as if, for or set, not {keyword.Describe()}.", keyword.Offset);
                    _t++;
                    if (ends.Contains(keyword.Text))
                    {
                        end = keyword.Text;
                        return body;
                    }
                    body.AddRange(ParseStatement(keyword));
                    break;
            }
        }
        if (ends.Length > 0)
            throw Error($"'{{% {opener} %}}' is never closed (missing '{{% {ends[^1]} %}}').", openerOffset);
        end = "";
        return body;
    }

    List<JinjaNode> ParseStatement(JinjaToken keyword)
    {
        switch (keyword.Text)
        {
            case "if": return [ParseIf(keyword)];
            case "for": return [ParseFor(keyword)];
            case "set": return [ParseSet(keyword)];
            case "break" or "continue":
                if (_loopDepth == 0) throw Error($"'{{% {keyword.Text} %}}' outside a for loop.", keyword.Offset);
                ExpectEnd("'%}'");
                return [keyword.Text == "break" ? new JinjaNode.Break(keyword.Offset) : new JinjaNode.Continue(keyword.Offset)];
            case "generation":
                // Hugging Face's {% generation %} marks assistant text for return_assistant_tokens_mask; it renders its body as is.
                ExpectEnd("'%}'");
                var body = ParseBody(["endgeneration"], "generation", keyword.Offset, out _);
                ExpectEnd("'%}'");
                return body;
            case "elif" or "else" or "endif" or "endfor" or "endgeneration" or "endset":
                throw Error($"'{{% {keyword.Text} %}}' without an open block it belongs to.", keyword.Offset);
            default:
                if (Unsupported.Contains(keyword.Text))
                    throw Error($"'{{% {keyword.Text} %}}' is not supported (GradSentry renders the Jinja subset Hugging Face chat templates use: if, for, set, expressions, filters).", keyword.Offset);
                throw Error($"unknown statement '{keyword.Text}'.", keyword.Offset);
        }
    }

    JinjaNode.If ParseIf(JinjaToken keyword)
    {
        var branches = new List<(JinjaExpression, IReadOnlyList<JinjaNode>)>();
        var condition = ParseExpression();
        ExpectEnd("'%}'");
        while (true)
        {
            var body = ParseBody(["elif", "else", "endif"], "if", keyword.Offset, out var end);
            branches.Add((condition, body));
            if (end == "elif")
            {
                condition = ParseExpression();
                ExpectEnd("'%}'");
                continue;
            }
            ExpectEnd("'%}'");
            if (end == "endif") return new JinjaNode.If(keyword.Offset, branches, []);
            var otherwise = ParseBody(["endif"], "if", keyword.Offset, out _);
            ExpectEnd("'%}'");
            return new JinjaNode.If(keyword.Offset, branches, otherwise);
        }
    }

    JinjaNode.For ParseFor(JinjaToken keyword)
    {
        var targets = new List<string> { ExpectName("a loop variable") };
        while (Accept(","))
            targets.Add(ExpectName("a loop variable"));
        if (!Peek().IsName("in")) throw Error($"expected 'in' after the loop variable, found {Peek().Describe()}.", Peek().Offset);
        _t++;
        var items = ParseOr();
        JinjaExpression? condition = null;
        if (Peek().IsName("if"))
        {
            _t++;
            condition = ParseExpression();
        }
        if (Peek().IsName("recursive")) throw Error("recursive loops are not supported.", Peek().Offset);
        ExpectEnd("'%}'");
        _loopDepth++;
        var body = ParseBody(["else", "endfor"], "for", keyword.Offset, out var end);
        _loopDepth--;
        ExpectEnd("'%}'");
        IReadOnlyList<JinjaNode> otherwise = [];
        if (end == "else")
        {
            otherwise = ParseBody(["endfor"], "for", keyword.Offset, out _);
            ExpectEnd("'%}'");
        }
        return new JinjaNode.For(keyword.Offset, targets, items, condition, body, otherwise);
    }

    JinjaNode.Set ParseSet(JinjaToken keyword)
    {
        var name = ExpectName("a variable name");
        string? attribute = null;
        if (Accept(".")) attribute = ExpectName("an attribute name");
        if (Peek().Kind == JinjaTokenKind.End)
            throw Error("block assignments ('{% set x %}...{% endset %}') are not supported; write '{% set x = ... %}'.", keyword.Offset);
        if (Peek().IsOperator(",")) throw Error("assigning several variables at once is not supported.", Peek().Offset);
        if (!Accept("=")) throw Error($"expected '=' in the set statement, found {Peek().Describe()}.", Peek().Offset);
        var value = ParseExpression();
        ExpectEnd("'%}'");
        return new JinjaNode.Set(keyword.Offset, name, attribute, value);
    }

    // ---- expressions (Jinja's precedence, lowest first) -------------------------------------------------------------

    JinjaExpression ParseExpression()
    {
        var expression = ParseOr();
        while (Peek().IsName("if"))
        {
            var at = Next().Offset;
            var condition = ParseOr();
            JinjaExpression? otherwise = null;
            if (Peek().IsName("else"))
            {
                _t++;
                otherwise = ParseExpression();
            }
            expression = new JinjaExpression.Conditional(at, expression, condition, otherwise);
        }
        return expression;
    }

    JinjaExpression ParseOr()
    {
        var left = ParseAnd();
        while (Peek().IsName("or"))
        {
            var at = Next().Offset;
            left = new JinjaExpression.Binary(at, "or", left, ParseAnd());
        }
        return left;
    }

    JinjaExpression ParseAnd()
    {
        var left = ParseNot();
        while (Peek().IsName("and"))
        {
            var at = Next().Offset;
            left = new JinjaExpression.Binary(at, "and", left, ParseNot());
        }
        return left;
    }

    JinjaExpression ParseNot()
    {
        if (!Peek().IsName("not")) return ParseCompare();
        var at = Next().Offset;
        return new JinjaExpression.Unary(at, "not", ParseNot());
    }

    JinjaExpression ParseCompare()
    {
        var left = ParseMath1();
        while (true)
        {
            var token = Peek();
            string op;
            if (token.Kind == JinjaTokenKind.Operator && token.Text is "==" or "!=" or "<" or ">" or "<=" or ">=") op = token.Text;
            else if (token.IsName("in")) op = "in";
            else if (token.IsName("not") && PeekAt(1).IsName("in"))
            {
                _t++;
                op = "not in";
            }
            else return left;
            _t++;
            left = new JinjaExpression.Binary(token.Offset, op, left, ParseMath1());
        }
    }

    JinjaExpression ParseMath1()
    {
        var left = ParseConcat();
        while (Peek().IsOperator("+") || Peek().IsOperator("-"))
        {
            var token = Next();
            left = new JinjaExpression.Binary(token.Offset, token.Text, left, ParseConcat());
        }
        return left;
    }

    JinjaExpression ParseConcat()
    {
        var left = ParseMath2();
        while (Peek().IsOperator("~"))
        {
            var token = Next();
            left = new JinjaExpression.Binary(token.Offset, "~", left, ParseMath2());
        }
        return left;
    }

    JinjaExpression ParseMath2()
    {
        var left = ParsePow();
        while (Peek().Kind == JinjaTokenKind.Operator && Peek().Text is "*" or "/" or "//" or "%")
        {
            var token = Next();
            left = new JinjaExpression.Binary(token.Offset, token.Text, left, ParsePow());
        }
        return left;
    }

    JinjaExpression ParsePow()
    {
        var left = ParseUnary(withFilter: true);
        while (Peek().IsOperator("**"))
        {
            var token = Next();
            left = new JinjaExpression.Binary(token.Offset, "**", left, ParseUnary(withFilter: true));
        }
        return left;
    }

    JinjaExpression ParseUnary(bool withFilter)
    {
        JinjaExpression expression;
        if (Peek().IsOperator("-") || Peek().IsOperator("+"))
        {
            var token = Next();
            expression = new JinjaExpression.Unary(token.Offset, token.Text, ParseUnary(withFilter: false));
        }
        else
        {
            expression = ParsePrimary();
        }
        expression = ParsePostfix(expression);
        return withFilter ? ParseFiltersAndTests(expression) : expression;
    }

    JinjaExpression ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case JinjaTokenKind.Name:
                return token.Text switch
                {
                    "true" or "True" => new JinjaExpression.Literal(token.Offset, true),
                    "false" or "False" => new JinjaExpression.Literal(token.Offset, false),
                    "none" or "None" => new JinjaExpression.Literal(token.Offset, null),
                    _ => new JinjaExpression.Variable(token.Offset, token.Text),
                };
            case JinjaTokenKind.String:
                var text = (string)token.Value!;
                while (Peek().Kind == JinjaTokenKind.String) text += (string)Next().Value!; // 'a' 'b' is 'ab', as in Python
                return new JinjaExpression.Literal(token.Offset, text);
            case JinjaTokenKind.Integer or JinjaTokenKind.Float:
                return new JinjaExpression.Literal(token.Offset, token.Value);
            case JinjaTokenKind.Operator when token.Text == "(":
                if (Accept(")")) return new JinjaExpression.ListLiteral(token.Offset, []);
                var first = ParseExpression();
                if (!Peek().IsOperator(","))
                {
                    Expect(")");
                    return first;
                }
                var tuple = new List<JinjaExpression> { first };
                while (Accept(",") && !Peek().IsOperator(")")) tuple.Add(ParseExpression());
                Expect(")");
                return new JinjaExpression.ListLiteral(token.Offset, tuple);
            case JinjaTokenKind.Operator when token.Text == "[":
                var items = new List<JinjaExpression>();
                while (!Peek().IsOperator("]"))
                {
                    items.Add(ParseExpression());
                    if (!Accept(",")) break;
                }
                Expect("]");
                return new JinjaExpression.ListLiteral(token.Offset, items);
            case JinjaTokenKind.Operator when token.Text == "{":
                var pairs = new List<(JinjaExpression, JinjaExpression)>();
                while (!Peek().IsOperator("}"))
                {
                    var key = ParseExpression();
                    Expect(":");
                    pairs.Add((key, ParseExpression()));
                    if (!Accept(",")) break;
                }
                Expect("}");
                return new JinjaExpression.DictLiteral(token.Offset, pairs);
            default:
                throw Error($"expected a value, found {token.Describe()}.", token.Offset);
        }
    }

    JinjaExpression ParsePostfix(JinjaExpression expression)
    {
        while (true)
        {
            var token = Peek();
            if (token.IsOperator("."))
            {
                _t++;
                var name = Next();
                if (name.Kind is not (JinjaTokenKind.Name or JinjaTokenKind.Integer))
                    throw Error($"expected an attribute name after '.', found {name.Describe()}.", name.Offset);
                expression = name.Kind == JinjaTokenKind.Integer
                    ? new JinjaExpression.Index(token.Offset, expression, new JinjaExpression.Literal(name.Offset, name.Value))
                    : new JinjaExpression.Attribute(token.Offset, expression, name.Text);
            }
            else if (token.IsOperator("["))
            {
                _t++;
                expression = ParseSubscript(token.Offset, expression);
            }
            else if (token.IsOperator("("))
            {
                _t++;
                var (arguments, named) = ParseArguments();
                if (expression is JinjaExpression.Variable function && !JinjaBuiltins.Functions.Contains(function.Identifier))
                    throw Error($"unknown function '{function.Identifier}' (known: {string.Join(", ", JinjaBuiltins.Functions.Order())}).", function.Offset);
                expression = new JinjaExpression.Call(token.Offset, expression, arguments, named);
            }
            else
            {
                return expression;
            }
        }
    }

    JinjaExpression ParseSubscript(int offset, JinjaExpression target)
    {
        JinjaExpression? start = null;
        if (!Peek().IsOperator(":"))
        {
            start = ParseExpression();
            if (Accept("]")) return new JinjaExpression.Index(offset, target, start);
        }
        Expect(":");
        JinjaExpression? stop = Peek().IsOperator(":") || Peek().IsOperator("]") ? null : ParseExpression();
        JinjaExpression? step = null;
        if (Accept(":") && !Peek().IsOperator("]")) step = ParseExpression();
        Expect("]");
        return new JinjaExpression.Slice(offset, target, start, stop, step);
    }

    JinjaExpression ParseFiltersAndTests(JinjaExpression expression)
    {
        while (true)
        {
            var token = Peek();
            if (token.IsOperator("|"))
            {
                _t++;
                var name = Next();
                if (name.Kind != JinjaTokenKind.Name) throw Error($"expected a filter name after '|', found {name.Describe()}.", name.Offset);
                if (!JinjaBuiltins.Filters.Contains(name.Text))
                    throw Error($"unknown filter '{name.Text}' (known: {string.Join(", ", JinjaBuiltins.Filters.Order())}).", name.Offset);
                var (arguments, named) = Accept("(") ? ParseArguments() : ([], []);
                expression = new JinjaExpression.Filter(name.Offset, expression, name.Text, arguments, named);
            }
            else if (token.IsName("is"))
            {
                _t++;
                var negated = false;
                if (Peek().IsName("not"))
                {
                    _t++;
                    negated = true;
                }
                var name = Next();
                var testName = name.Kind == JinjaTokenKind.Name || name.IsOperator("==") || name.IsOperator("!=")
                    ? name.Text
                    : throw Error($"expected a test name after 'is', found {name.Describe()}.", name.Offset);
                if (testName is "none" or "None") testName = "none";
                else if (testName is "true" or "True") testName = "true";
                else if (testName is "false" or "False") testName = "false";
                if (!JinjaBuiltins.Tests.Contains(testName))
                    throw Error($"unknown test '{testName}' (known: {string.Join(", ", JinjaBuiltins.Tests.Order())}).", name.Offset);
                IReadOnlyList<JinjaExpression> arguments = [];
                if (Accept("("))
                {
                    var (positional, _) = ParseArguments();
                    arguments = positional;
                }
                else if (Peek() is { Kind: JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float }
                         || (Peek().Kind == JinjaTokenKind.Name && !NotATestArgument.Contains(Peek().Text)))
                {
                    arguments = [ParsePostfix(ParsePrimary())];
                }
                expression = new JinjaExpression.Test(name.Offset, expression, testName, arguments, negated);
            }
            else
            {
                return expression;
            }
        }
    }

    (List<JinjaExpression> Arguments, List<(string, JinjaExpression)> Named) ParseArguments()
    {
        var arguments = new List<JinjaExpression>();
        var named = new List<(string, JinjaExpression)>();
        while (!Peek().IsOperator(")"))
        {
            if (Peek().Kind == JinjaTokenKind.Name && PeekAt(1).IsOperator("="))
            {
                var name = Next().Text;
                _t++;
                named.Add((name, ParseExpression()));
            }
            else
            {
                if (named.Count > 0) throw Error("a positional argument after a named one.", Peek().Offset);
                arguments.Add(ParseExpression());
            }
            if (!Accept(",")) break;
        }
        Expect(")");
        return (arguments, named);
    }

    // ---- token cursor -----------------------------------------------------------------------------------------------

    void Begin(IReadOnlyList<JinjaToken> tokens)
    {
        _tokens = tokens;
        _t = 0;
    }

    JinjaToken Peek() => _tokens[Math.Min(_t, _tokens.Count - 1)];

    JinjaToken PeekAt(int ahead) => _tokens[Math.Min(_t + ahead, _tokens.Count - 1)];

    JinjaToken Next()
    {
        var token = Peek();
        if (token.Kind != JinjaTokenKind.End) _t++;
        return token;
    }

    bool Accept(string op)
    {
        if (!Peek().IsOperator(op)) return false;
        _t++;
        return true;
    }

    void Expect(string op)
    {
        if (!Accept(op)) throw Error($"expected '{op}', found {Peek().Describe()}.", Peek().Offset);
    }

    string ExpectName(string what)
    {
        var token = Next();
        return token.Kind == JinjaTokenKind.Name ? token.Text : throw Error($"expected {what}, found {token.Describe()}.", token.Offset);
    }

    void ExpectEnd(string closer)
    {
        var token = Peek();
        if (token.Kind != JinjaTokenKind.End) throw Error($"expected {closer}, found {token.Describe()}.", token.Offset);
    }
}
