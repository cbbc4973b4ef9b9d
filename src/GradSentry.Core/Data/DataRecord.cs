using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;

namespace GradSentry.Data;

/// <summary>
/// One raw record (a JSON object or a CSV/TSV row) handed to an <see cref="IPromptTemplate"/>. Typed accessors
/// raise <see cref="DatasetException"/>s that name the file, line and field, and remember which fields were read:
/// the others become <see cref="SampleRow.Extra"/>.
/// </summary>
/// <remarks>
/// A record read from JSON Lines is valid only while the template runs (its JSON document is released right after);
/// templates must not keep it or any <see cref="JsonElement"/> from it.
/// </remarks>
public sealed class DataRecord
{
    const string MappingFix =
        "Add the field, map another one (--prompt-field, --response-field), or choose a template that matches the data (raw, alpaca, qa, chat, gradsentry-qa, or a template file).";

    readonly string[] names;
    readonly JsonElement[]? json;
    readonly string[]? cells;
    readonly Dictionary<string, int> index;
    readonly HashSet<string> used = new(StringComparer.Ordinal);

    DataRecord(string file, long row, long line, string[] names, JsonElement[]? json, string[]? cells, Dictionary<string, int> index)
    {
        File = file;
        Row = row;
        Line = line;
        this.names = names;
        this.json = json;
        this.cells = cells;
        this.index = index;
    }

    /// <summary>The file the record came from.</summary>
    public string File { get; }

    /// <summary>0-based row index within the file.</summary>
    public long Row { get; }

    /// <summary>1-based physical line where the record starts.</summary>
    public long Line { get; }

    /// <summary>True for a JSON object, false for a CSV/TSV row (where every value is text).</summary>
    public bool IsJson => json is not null;

    /// <summary>The field names, in file order.</summary>
    public IReadOnlyList<string> FieldNames => names;

    /// <summary>
    /// A record over a JSON object. The caller keeps the element's document alive while the record is used.
    /// </summary>
    /// <exception cref="DatasetException">The element is not an object, or has a duplicate key.</exception>
    public static DataRecord FromJson(string file, long row, long line, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (value.ValueKind != JsonValueKind.Object)
            throw new DatasetException(file, line, null,
                $"expected a JSON object ({{...}}) but the line holds {Describe(value.ValueKind)}.",
                "Each line of a JSON Lines file must be one JSON object; a JSON array file can be converted with `jq -c '.[]' in.json > out.jsonl`.");
        var names = new List<string>();
        var values = new List<JsonElement>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (!index.TryAdd(property.Name, names.Count))
                throw new DatasetException(file, line, null, $"the field '{property.Name}' appears twice in the object.",
                    "Keep one of them; which value a JSON reader uses for a repeated key differs between tools.") { Field = property.Name };
            names.Add(property.Name);
            values.Add(property.Value);
        }
        return new DataRecord(file, row, line, [.. names], [.. values], null, index);
    }

    /// <summary>A record over CSV/TSV cells with their header names.</summary>
    /// <exception cref="ArgumentException">The name and value counts differ or a name repeats.</exception>
    public static DataRecord FromFields(string file, long row, long line, IReadOnlyList<string> fieldNames, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(fieldNames);
        ArgumentNullException.ThrowIfNull(values);
        if (fieldNames.Count != values.Count)
            throw new ArgumentException($"{fieldNames.Count} field names but {values.Count} values.", nameof(values));
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < fieldNames.Count; i++)
            if (!index.TryAdd(fieldNames[i], i)) throw new ArgumentException($"The field name '{fieldNames[i]}' repeats.", nameof(fieldNames));
        return new DataRecord(file, row, line, [.. fieldNames], null, [.. values], index);
    }

    /// <summary>The 1-based line of the CSV/TSV header this record's field names come from; null for JSON and for records built in code.</summary>
    public long? HeaderLine { get; private set; }

    /// <summary>This record, its field names read from the header at <paramref name="line"/>: a missing field is then reported there.</summary>
    public DataRecord WithHeaderLine(long line)
    {
        HeaderLine = line;
        return this;
    }

    /// <summary>True when the record has <paramref name="field"/> (a JSON null counts as present).</summary>
    public bool Contains(string field) => index.ContainsKey(field);

    /// <summary>A required string field.</summary>
    /// <exception cref="DatasetException">The field is missing, or (JSON) not a string.</exception>
    public string GetString(string field)
    {
        var i = Require(field);
        if (cells is not null) return cells[i];
        var value = json![i];
        if (value.ValueKind != JsonValueKind.String)
            throw TypeError(field, value, "a string");
        return StringOf(field, value);
    }

    /// <summary>An optional string field: <see langword="null"/> when missing or JSON null.</summary>
    /// <exception cref="DatasetException">The field is present but (JSON) not a string.</exception>
    public string? GetOptionalString(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        used.Add(field);
        if (!index.TryGetValue(field, out var i)) return null;
        if (cells is not null) return cells[i];
        var value = json![i];
        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => StringOf(field, value),
            _ => throw TypeError(field, value, "a string or null"),
        };
    }

    /// <summary>A string or a list of strings (a CSV cell is one string).</summary>
    /// <exception cref="DatasetException">The field is missing, or (JSON) neither a string nor an array of strings.</exception>
    public IReadOnlyList<string> GetStrings(string field)
    {
        var i = Require(field);
        if (cells is not null) return [cells[i]];
        var value = json![i];
        if (value.ValueKind == JsonValueKind.String) return [StringOf(field, value)];
        if (value.ValueKind != JsonValueKind.Array) throw TypeError(field, value, "a string or a list of strings");
        var list = new List<string>(value.GetArrayLength());
        var n = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw Error(string.Create(CultureInfo.InvariantCulture, $"item {n} of field '{field}' is {Describe(item.ValueKind)}, expected a string."),
                    "Make every item of the list a string.", field);
            list.Add(StringOf(field, item));
            n++;
        }
        return list;
    }

    /// <summary>
    /// Text for a format placeholder: a string as is, a list of strings joined with <c>"; "</c>, a number or boolean
    /// as written in the JSON. CSV cells are returned as written.
    /// </summary>
    /// <exception cref="DatasetException">The field is missing, null, an object, or a list holding non-strings.</exception>
    public string GetText(string field)
    {
        var i = Require(field);
        if (cells is not null) return cells[i];
        var value = json![i];
        return value.ValueKind switch
        {
            JsonValueKind.String => StringOf(field, value),
            JsonValueKind.Array => string.Join("; ", GetStrings(field)),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => throw TypeError(field, value, "a string, a list of strings, a number or a boolean"),
        };
    }

    /// <summary>
    /// The field as JSON. A CSV cell is parsed as JSON text (so a cell may hold e.g. a chat message list).
    /// </summary>
    /// <exception cref="DatasetException">The field is missing, or a CSV cell is not valid JSON.</exception>
    public JsonElement GetJson(string field)
    {
        var i = Require(field);
        if (json is not null) return json[i];
        try
        {
            return JsonSerializer.Deserialize<JsonElement>(cells![i]);
        }
        catch (JsonException ex)
        {
            throw Error($"field '{field}' must hold JSON here but its text is not valid JSON ({ShortJsonMessage(ex)}).",
                "Put the JSON value in the cell (quoted as CSV requires), or use a JSON Lines file.", field, ex);
        }
    }

    /// <summary>An error at this record, optionally about <paramref name="field"/>.</summary>
    public DatasetException Error(string problem, string fix, string? field = null, Exception? innerException = null) =>
        new(File, Line, null, problem, fix, innerException) { Field = field };

    /// <summary>The fields no accessor has read, in file order (see <see cref="SampleRow.Extra"/> for the value text).</summary>
    public IReadOnlyDictionary<string, string?> UnreadFields()
    {
        var extra = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (used.Contains(names[i])) continue;
            if (cells is not null) extra[names[i]] = cells[i];
            else extra[names[i]] = json![i].ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => StringOf(names[i], json[i]),
                _ => json[i].GetRawText(),
            };
        }
        return new ReadOnlyDictionary<string, string?>(extra);
    }

    /// <summary>A JSON value kind in words ("a number", "an array", ...).</summary>
    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>A <see cref="JsonException"/> message without its trailing position (the caller reports it).</summary>
    internal static string ShortJsonMessage(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }

    int Require(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        used.Add(field);
        if (index.TryGetValue(field, out var i)) return i;
        var present = names.Length == 0 ? "none" : string.Join(", ", names.Take(12).Select(n => $"'{n}'")) + (names.Length > 12 ? ", ..." : "");
        if (HeaderLine is { } header)
            throw new DatasetException(File, header, null,
                $"the header row has no '{field}' column (columns: {present}); is the header missing? The first line of a CSV/TSV file must name its columns.",
                "Add a header line naming the columns (e.g. prompt,response), map other columns (--prompt-field, --response-field), or choose a template that matches the data.") { Field = field };
        throw Error($"the field '{field}' is missing (fields present: {present}).", MappingFix, field);
    }

    DatasetException TypeError(string field, JsonElement value, string expected) =>
        Error($"the field '{field}' is {Describe(value.ValueKind)}, expected {expected}.",
            "Fix the value, or map the prompt and response to other fields.", field);

    string StringOf(string field, JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw Error($"the field '{field}' holds an invalid string (an unpaired UTF-16 surrogate escape such as \\ud800).",
                "Remove or repair the broken escape.", field, ex);
        }
    }
}
