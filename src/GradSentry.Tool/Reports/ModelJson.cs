using System.Text.Json;
using static TorchSharp.torch;

namespace GradSentry.Tool.Reports;

/// <summary>The <c>"model"</c> object that the JSON report and a shard result both carry.</summary>
internal static class ModelJson
{
    /// <summary>Writes <c>"model": {path, contentHash, probe, dtype}</c>; dtype is the one the scan resolved to, or null.</summary>
    public static void Write(Utf8JsonWriter w, string path, string contentHash, string probe, ScalarType? dtype)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject("model");
        w.WriteString("path", path);
        w.WriteString("contentHash", contentHash);
        w.WriteString("probe", probe);
        w.WriteString("dtype", dtype is { } d ? ComputeDTypes.Name(d) : null);
        w.WriteEndObject();
    }
}
