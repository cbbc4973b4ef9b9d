using System.Text.Json.Nodes;

namespace GradSentry.Tool.Tests.Support;

/// <summary>Compares JSON reports apart from their timing fields.</summary>
public static class JsonCompare
{
    /// <summary>The report's JSON text without the <c>timing</c> object.</summary>
    public static string WithoutTiming(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("timing");
        return node.ToJsonString();
    }
}
