using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GradSentry.Models;

/// <summary>
/// Reads JSON numbers from parsed and from programmatically built nodes alike (a <c>JsonValue</c> created from an
/// <c>int</c> answers <c>TryGetValue&lt;long&gt;</c> and <c>TryGetValue&lt;double&gt;</c> with false).
/// </summary>
static class JsonNumbers
{
    /// <summary>The node's value when it is a JSON number.</summary>
    public static bool TryGetDouble(JsonNode? node, out double value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number &&
               double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>The node's value when it is a JSON number with an integral value in the <c>int</c> range.</summary>
    public static bool TryGetInt(JsonNode? node, out int value)
    {
        value = 0;
        if (!TryGetDouble(node, out var x) || x != Math.Floor(x) || x < int.MinValue || x > int.MaxValue) return false;
        value = (int)x;
        return true;
    }
}
