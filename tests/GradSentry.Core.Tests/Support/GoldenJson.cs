using System.Globalization;
using System.Text.Json;

namespace GradSentry.Tests.Support;

/// <summary>Reads the golden JSON files, where NaN and infinities are spelled as strings.</summary>
public static class GoldenJson
{
    /// <summary>Parses a golden JSON file.</summary>
    public static JsonDocument Load(string path) => JsonDocument.Parse(File.ReadAllBytes(path));

    /// <summary>A number, or one of the strings "NaN", "Infinity", "-Infinity".</summary>
    public static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? double.Parse(e.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
        : e.GetDouble();

    /// <summary>A JSON array of numbers.</summary>
    public static double[] Numbers(JsonElement e) => [.. e.EnumerateArray().Select(Number)];

    /// <summary>A JSON array of integers.</summary>
    public static int[] Ints(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetInt32())];
}
