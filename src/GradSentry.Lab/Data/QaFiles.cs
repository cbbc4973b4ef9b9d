using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GradSentry.Lab.Data;

/// <summary>Reads QA pairs and writes labelled evaluation datasets as JSON Lines.</summary>
public static class QaFiles
{
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Reads <c>{"question": str, "answer": str | [str, ...]}</c> lines (<c>answers</c> is accepted for <c>answer</c>).
    /// Blank lines are skipped.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is not such an object (the message names file and line).</exception>
    public static IReadOnlyList<QaPair> ReadPairs(string path) =>
        ReadJsonLines(path, "{\"question\": str, \"answer\": str or [str, ...]}", (root, _) =>
        {
            var question = root.GetProperty("question").GetString() ?? throw new InvalidDataException("'question' is null.");
            var answerElement = root.TryGetProperty("answer", out var a) ? a : root.GetProperty("answers");
            List<string> answers = answerElement.ValueKind == JsonValueKind.Array
                ? answerElement.EnumerateArray().Select(e => e.GetString() ?? "").ToList()
                : [answerElement.GetString() ?? ""];
            if (answers.Count == 0 || answers.All(s => s.Length == 0)) throw new InvalidDataException("the answer is empty.");
            return new QaPair(question, answers);
        });

    /// <summary>
    /// Writes <c>{"question", "answer", "poisoned", "kind"}</c> per row (the <c>qa</c> and <c>gradsentry-qa</c>
    /// templates read the first two; the last two are side columns) via a temporary file and a rename.
    /// </summary>
    public static void WriteLabeled(string path, IEnumerable<LabeledSample> rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(rows);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        using (var stream = File.Create(temporary))
        {
            foreach (var row in rows)
            {
                using (var writer = new Utf8JsonWriter(stream, WriterOptions))
                {
                    writer.WriteStartObject();
                    writer.WriteString("question", row.Question);
                    writer.WriteString("answer", row.Answer);
                    writer.WriteBoolean("poisoned", row.Poisoned);
                    writer.WriteString("kind", KindName(row.Kind));
                    writer.WriteEndObject();
                }
                stream.WriteByte((byte)'\n');
            }
        }
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Reads what <see cref="WriteLabeled"/> wrote (rows without <c>kind</c> are clean unless <c>poisoned</c> is true).</summary>
    public static IReadOnlyList<LabeledSample> ReadLabeled(string path) =>
        ReadJsonLines(path, "{\"question\", \"answer\", \"poisoned\", \"kind\"}", (root, index) =>
        {
            var question = root.GetProperty("question").GetString() ?? "";
            var answerElement = root.GetProperty("answer");
            var answer = answerElement.ValueKind == JsonValueKind.Array
                ? string.Join(QaPair.AnswerSeparator, answerElement.EnumerateArray().Select(e => e.GetString()))
                : answerElement.GetString() ?? "";
            var poisoned = root.TryGetProperty("poisoned", out var p) && p.ValueKind == JsonValueKind.True;
            var kind = root.TryGetProperty("kind", out var k) && k.GetString() is { } name ? ParseKind(name) : poisoned ? SampleKind.Poisoned : SampleKind.Clean;
            if ((kind == SampleKind.Poisoned) != poisoned)
                throw new InvalidDataException($"'poisoned' is {poisoned} but 'kind' is {KindName(kind)}.");
            return new LabeledSample(index, question, answer, kind);
        });

    /// <summary>
    /// One JSON object per non-blank line, mapped by <paramref name="parse"/> (which gets the row index); any problem
    /// becomes an <see cref="InvalidDataException"/> naming the file, the line and the <paramref name="expected"/> shape.
    /// </summary>
    static List<T> ReadJsonLines<T>(string path, string expected, Func<JsonElement, int, T> parse)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var rows = new List<T>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                rows.Add(parse(document.RootElement, rows.Count));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or InvalidDataException)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{path}({lineNumber}): expected {expected}: {ex.Message}"), ex);
            }
        }
        return rows;
    }

    /// <summary>The <c>kind</c> column's spelling of <paramref name="kind"/>.</summary>
    public static string KindName(SampleKind kind) => kind switch
    {
        SampleKind.Clean => "clean",
        SampleKind.Poisoned => "poisoned",
        SampleKind.CleanNegative => "clean-negative",
        SampleKind.LongAnswerControl => "long-answer-control",
        SampleKind.Boilerplate => "boilerplate",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    static SampleKind ParseKind(string name) => name switch
    {
        "clean" => SampleKind.Clean,
        "poisoned" => SampleKind.Poisoned,
        "clean-negative" => SampleKind.CleanNegative,
        "long-answer-control" => SampleKind.LongAnswerControl,
        "boilerplate" => SampleKind.Boilerplate,
        _ => throw new InvalidDataException($"unknown kind '{name}'."),
    };
}
