using System.Globalization;
using System.Text;

namespace GradSentry.Data;

/// <summary>One CSV/TSV record.</summary>
/// <param name="Fields">The unquoted field values.</param>
/// <param name="Line">1-based physical line where the record starts.</param>
/// <param name="Raw">The record's text as written, interior line breaks included, final terminator excluded.</param>
readonly record struct CsvRecord(List<string> Fields, long Line, string Raw);

/// <summary>
/// RFC 4180 records over a <see cref="Utf8LineReader"/>: a field that starts with <c>"</c> is quoted, may hold the
/// delimiter and line breaks (kept as written), and writes a quote as <c>""</c>; after its closing quote only the
/// delimiter or the end of the record may follow. A quote inside an unquoted field is an ordinary character.
/// </summary>
sealed class CsvRecordReader(Utf8LineReader lines, string file, char delimiter, int maxRecordBytes, bool skipBlankLines, BlankLineCounter? blankLines = null)
{
    enum State { FieldStart, Unquoted, Quoted, QuoteInQuoted }

    readonly StringBuilder field = new();
    readonly StringBuilder raw = new();

    /// <summary>Reads the next record; false at the end of the file.</summary>
    public bool TryRead(out CsvRecord record)
    {
        PhysicalLine line;
        while (true)
        {
            if (!lines.TryRead(out line))
            {
                record = default;
                return false;
            }
            if (line.Text.Length > 0) break;
            if (!skipBlankLines) throw Blank(file, line.Number);
            blankLines?.Add(file, line.Number);
        }

        var fields = new List<string>();
        field.Clear();
        raw.Clear();
        var start = line.Number;
        long bytes = line.ByteLength;
        var state = State.FieldStart;
        while (true)
        {
            var text = line.Text;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                switch (state)
                {
                    case State.FieldStart:
                        if (c == '"') state = State.Quoted;
                        else if (c == delimiter) fields.Add("");
                        else
                        {
                            field.Append(c);
                            state = State.Unquoted;
                        }
                        break;
                    case State.Unquoted:
                        if (c == delimiter) EndField(fields, ref state);
                        else field.Append(c);
                        break;
                    case State.Quoted:
                        if (c == '"') state = State.QuoteInQuoted;
                        else field.Append(c);
                        break;
                    case State.QuoteInQuoted:
                        if (c == '"')
                        {
                            field.Append('"');
                            state = State.Quoted;
                        }
                        else if (c == delimiter) EndField(fields, ref state);
                        else
                            throw new DatasetException(file, line.Number, i + 1,
                                $"unexpected '{c}' after the closing quote of field {fields.Count + 1}.",
                                "Inside a quoted field write a quote as two quotes (\"\"), and put nothing between the closing quote and the next delimiter.");
                        break;
                }
            }

            if (state != State.Quoted) break;

            // The quoted field goes on past the line break: keep the break as written and read on.
            if (line.Terminator is not ("\n" or "\r\n") || !lines.TryRead(out var next))
                throw new DatasetException(file, start, null,
                    string.Create(CultureInfo.InvariantCulture, $"a quoted field in the record starting here is never closed (the file ends at line {line.Number})."),
                    "Close the quote, or double any quote that is part of the text (\"\").");
            field.Append(line.Terminator);
            raw.Append(text).Append(line.Terminator);
            bytes += line.Terminator.Length + next.ByteLength;
            if (bytes > maxRecordBytes)
                throw new DatasetException(file, start, null,
                    string.Create(CultureInfo.InvariantCulture, $"the record starting here is longer than the limit of {maxRecordBytes} bytes."),
                    "Look for an unterminated quote that swallows the following rows, or raise the limit (ReaderOptions.MaxLineBytes).");
            line = next;
        }
        fields.Add(field.ToString());
        field.Clear();
        var rawText = raw.Length == 0 ? line.Text : raw.Append(line.Text).ToString();
        record = new CsvRecord(fields, start, rawText);
        return true;
    }

    void EndField(List<string> fields, ref State state)
    {
        fields.Add(field.ToString());
        field.Clear();
        state = State.FieldStart;
    }

    internal static DatasetException Blank(string file, long line) =>
        new(file, line, null, "the line is blank; every line must hold a record.",
            "Delete the blank line (blank lines are skipped unless ReaderOptions.SkipBlankLines is false).");
}
