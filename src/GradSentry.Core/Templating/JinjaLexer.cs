using System.Globalization;
using System.Text;

namespace GradSentry.Templating;

/// <summary>
/// Splits template source into text and tags, and tags into tokens, with the whitespace rules Hugging Face renders chat
/// templates with: <c>trim_blocks</c> (the first newline after a <c>{% %}</c> or <c>{# #}</c> tag is dropped),
/// <c>lstrip_blocks</c> (spaces and tabs between a line's start and such a tag are dropped) and the explicit
/// <c>-</c> / <c>+</c> markers (<c>{%-</c> strips all whitespace before the tag, <c>-%}</c> all after it; <c>+</c>
/// turns the automatic rules off for that side).
/// </summary>
internal sealed class JinjaLexer
{
    static readonly string[] Operators = ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|"];

    readonly string _source;
    readonly List<JinjaSegment> _segments = [];
    int _pos;

    JinjaLexer(string source) => _source = source;

    /// <summary>The segments of <paramref name="source"/>.</summary>
    /// <exception cref="JinjaException">An unterminated tag or comment, an unterminated string, or a character no token starts with.</exception>
    public static IReadOnlyList<JinjaSegment> Lex(string source)
    {
        var lexer = new JinjaLexer(source);
        lexer.Run();
        return lexer._segments;
    }

    /// <summary>The 1-based line and column of <paramref name="offset"/> in <paramref name="source"/>.</summary>
    public static (int Line, int Column) Position(string source, int offset)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (source[i] != '\n') continue;
            line++;
            lineStart = i + 1;
        }
        return (line, offset - lineStart + 1);
    }

    JinjaException Error(string problem, int offset)
    {
        var (line, column) = Position(_source, offset);
        return new JinjaException(problem, line, column);
    }

    void Run()
    {
        while (_pos < _source.Length)
        {
            var open = NextTagStart(_pos);
            if (open < 0)
            {
                AddText(_pos, _source[_pos..]);
                return;
            }
            var kind = _source[open + 1];
            var marker = open + 2 < _source.Length ? _source[open + 2] : '\0';
            var text = _source[_pos..open];
            var isBlock = kind is '%' or '#';
            if (marker == '-') text = text.TrimEnd();
            else if (isBlock && marker != '+') text = StripLineIndent(text, _pos);
            AddText(_pos, text);

            var bodyStart = open + 2 + (marker is '-' or '+' ? 1 : 0);
            bool stripAfter;
            bool keepAfter;
            if (kind == '#')
            {
                var close = _source.IndexOf("#}", bodyStart, StringComparison.Ordinal);
                if (close < 0) throw Error("the comment '{#' is never closed (missing '#}').", open);
                stripAfter = close > bodyStart && _source[close - 1] == '-';
                keepAfter = close > bodyStart && _source[close - 1] == '+';
                _pos = close + 2;
            }
            else
            {
                var tokens = Tokenize(open, bodyStart, kind == '{' ? "}}" : "%}", out var closeMarker);
                _segments.Add(kind == '{' ? new JinjaSegment.Output(open, tokens) : new JinjaSegment.Statement(open, tokens));
                stripAfter = closeMarker == '-';
                keepAfter = closeMarker == '+';
            }

            if (stripAfter)
            {
                while (_pos < _source.Length && char.IsWhiteSpace(_source[_pos])) _pos++;
            }
            else if (isBlock && !keepAfter)
            {
                if (_pos < _source.Length && _source[_pos] == '\n') _pos++;
                else if (_pos + 1 < _source.Length && _source[_pos] == '\r' && _source[_pos + 1] == '\n') _pos += 2;
            }
        }
    }

    int NextTagStart(int from)
    {
        for (var i = from; i + 1 < _source.Length; i++)
            if (_source[i] == '{' && _source[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    /// <summary><c>lstrip_blocks</c>: drops the spaces and tabs between the start of the line and the tag.</summary>
    string StripLineIndent(string text, int textStart)
    {
        var i = text.Length;
        while (i > 0 && text[i - 1] is ' ' or '\t') i--;
        var atLineStart = i > 0 ? text[i - 1] == '\n' : textStart == 0 || _source[textStart - 1] == '\n';
        return atLineStart ? text[..i] : text;
    }

    void AddText(int offset, string text)
    {
        if (text.Length > 0) _segments.Add(new JinjaSegment.Text(offset, text));
    }

    List<JinjaToken> Tokenize(int open, int from, string close, out char closeMarker)
    {
        var tokens = new List<JinjaToken>();
        var depth = 0; // open braces: a '}}' that closes a dict literal does not end the tag
        var i = from;
        while (true)
        {
            while (i < _source.Length && char.IsWhiteSpace(_source[i])) i++;
            if (i >= _source.Length)
                throw Error($"the tag '{_source.Substring(open, 2)}' is never closed (missing '{close}').", open);
            if (depth == 0)
            {
                foreach (var marker in new[] { '-', '+' })
                {
                    if (_source[i] == marker && string.CompareOrdinal(_source, i + 1, close, 0, 2) == 0)
                    {
                        closeMarker = marker;
                        tokens.Add(new JinjaToken(JinjaTokenKind.End, close, i));
                        _pos = i + 3;
                        return tokens;
                    }
                }
                if (string.CompareOrdinal(_source, i, close, 0, 2) == 0)
                {
                    closeMarker = '\0';
                    tokens.Add(new JinjaToken(JinjaTokenKind.End, close, i));
                    _pos = i + 2;
                    return tokens;
                }
            }
            var c = _source[i];
            if (c is '\'' or '"')
            {
                tokens.Add(ReadString(ref i));
            }
            else if (char.IsAsciiDigit(c))
            {
                tokens.Add(ReadNumber(ref i));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < _source.Length && (char.IsAsciiLetterOrDigit(_source[i]) || _source[i] == '_')) i++;
                tokens.Add(new JinjaToken(JinjaTokenKind.Name, _source[start..i], start));
            }
            else
            {
                var op = Operators.FirstOrDefault(o => string.CompareOrdinal(_source, i, o, 0, o.Length) == 0)
                         ?? throw Error($"unexpected character '{c}' in a tag.", i);
                if (op == "{") depth++;
                else if (op == "}") depth = Math.Max(0, depth - 1);
                tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, i));
                i += op.Length;
            }
        }
    }

    JinjaToken ReadString(ref int i)
    {
        var start = i;
        var quote = _source[i++];
        var text = new StringBuilder();
        while (true)
        {
            if (i >= _source.Length) throw Error("the string is never closed (missing " + quote + ").", start);
            var c = _source[i++];
            if (c == quote) return new JinjaToken(JinjaTokenKind.String, _source[start..i], start, text.ToString());
            if (c != '\\' || i >= _source.Length)
            {
                text.Append(c);
                continue;
            }
            var e = _source[i++];
            switch (e)
            {
                case 'n': text.Append('\n'); break;
                case 't': text.Append('\t'); break;
                case 'r': text.Append('\r'); break;
                case '0': text.Append('\0'); break;
                case '\\' or '\'' or '"': text.Append(e); break;
                case '\n': break; // a backslash-newline continues the string, as in Python
                case 'x' when i + 2 <= _source.Length && IsHex(_source.AsSpan(i, 2)):
                    text.Append((char)int.Parse(_source.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                case 'u' when i + 4 <= _source.Length && IsHex(_source.AsSpan(i, 4)):
                    text.Append((char)int.Parse(_source.AsSpan(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default:
                    // Python keeps unknown escapes as written.
                    text.Append('\\').Append(e);
                    break;
            }
        }
    }

    static bool IsHex(ReadOnlySpan<char> digits)
    {
        foreach (var d in digits)
            if (!char.IsAsciiHexDigit(d)) return false;
        return true;
    }

    JinjaToken ReadNumber(ref int i)
    {
        var start = i;
        while (i < _source.Length && (char.IsAsciiDigit(_source[i]) || _source[i] == '_')) i++;
        var isFloat = false;
        if (i + 1 < _source.Length && _source[i] == '.' && char.IsAsciiDigit(_source[i + 1]))
        {
            isFloat = true;
            i++;
            while (i < _source.Length && (char.IsAsciiDigit(_source[i]) || _source[i] == '_')) i++;
        }
        if (i < _source.Length && _source[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < _source.Length && _source[j] is '+' or '-') j++;
            if (j < _source.Length && char.IsAsciiDigit(_source[j]))
            {
                isFloat = true;
                i = j;
                while (i < _source.Length && char.IsAsciiDigit(_source[i])) i++;
            }
        }
        var text = _source[start..i];
        var digits = text.Replace("_", "", StringComparison.Ordinal);
        if (isFloat)
            return new JinjaToken(JinjaTokenKind.Float, text, start, double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture));
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw Error($"the number {text} is too large.", start);
        return new JinjaToken(JinjaTokenKind.Integer, text, start, value);
    }
}
