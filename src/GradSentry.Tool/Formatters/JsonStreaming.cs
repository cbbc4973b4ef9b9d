using System.Text.Json;

namespace GradSentry.Tool.Formatters;

/// <summary>Keeps a <see cref="Utf8JsonWriter"/> over a stream from holding a whole report: it buffers until flushed.</summary>
internal static class JsonStreaming
{
    /// <summary>Bytes a writer may hold before they go to the stream.</summary>
    public const int FlushBytes = 1 << 16;

    /// <summary>Hands the pending bytes to the stream once there are <see cref="FlushBytes"/> of them, so memory stays flat whatever the row count.</summary>
    public static void FlushWhenFull(this Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (writer.BytesPending >= FlushBytes) writer.Flush();
    }
}
