using System.Text.Json;

namespace GradSentry.Tokenization;

/// <summary>Reads the JSON files of a model directory with errors that name the file and the field.</summary>
internal static class HfJson
{
    /// <summary>The largest tokenizer file read (the biggest public vocabularies are tens of megabytes).</summary>
    public const long MaxBytes = 1L << 30;

    /// <summary>Parses <paramref name="path"/>; the root must be an object. Dispose the result.</summary>
    public static JsonDocument Parse(string path)
    {
        byte[] bytes;
        try
        {
            bytes = GradSentry.IO.RegularFile.ReadAllBytes(path, MaxBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerLoadException(path, "cannot be read: " + ex.Message, ex);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new TokenizerLoadException(path, $"invalid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message}", ex);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new TokenizerLoadException(path, "expected a JSON object at the top level.");
        }
        return document;
    }

    /// <summary>The property, or null when it is missing or JSON null.</summary>
    public static JsonElement? Get(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>True when the property is present (even as JSON null).</summary>
    public static bool Has(JsonElement obj, string name) => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out _);

    /// <summary>An optional string property.</summary>
    public static string? String(JsonElement obj, string name, string path, string context) => Get(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        var other => throw Bad(path, context, name, "a string", other.Value),
    };

    /// <summary>An optional boolean property.</summary>
    public static bool? Bool(JsonElement obj, string name, string path, string context) => Get(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        var other => throw Bad(path, context, name, "true or false", other.Value),
    };

    /// <summary>A non-negative integer token id.</summary>
    public static int Id(JsonElement value, string path, string what) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var id) && id >= 0
            ? id
            : throw new TokenizerLoadException(path, $"{what} must be a non-negative integer id, found {Show(value)}.");

    /// <summary>A required object property.</summary>
    public static JsonElement Object(JsonElement obj, string name, string path, string context) => Get(obj, name) switch
    {
        { ValueKind: JsonValueKind.Object } v => v,
        null => throw new TokenizerLoadException(path, $"'{Join(context, name)}' is missing."),
        var other => throw Bad(path, context, name, "an object", other.Value),
    };

    /// <summary>The JSON text of <paramref name="value"/>, shortened for messages.</summary>
    public static string Show(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 80 ? text : text[..77] + "...";
    }

    static TokenizerLoadException Bad(string path, string context, string name, string expected, JsonElement found) =>
        new(path, $"'{Join(context, name)}' must be {expected}, found {Show(found)}.");

    static string Join(string context, string name) => context.Length == 0 ? name : context + "." + name;
}
