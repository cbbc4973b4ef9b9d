using System.Text.Json;
using System.Text.Json.Serialization;

namespace GradSentry.Tool.Sharding;

/// <summary>JSON helpers shared by shard files.</summary>
static class ShardJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>A finite number, or null for NaN and infinities.</summary>
    public static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    /// <summary>A number written by <see cref="Number"/> (null reads as NaN).</summary>
    public static double Double(JsonElement element, string name) =>
        element.GetProperty(name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : double.NaN;
}
