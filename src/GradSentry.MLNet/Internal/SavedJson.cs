using System.Text.Json;
using System.Text.Json.Serialization;

namespace GradSentry.MLNet.Internal;

/// <summary>The JSON our own Save/Load write: indented, camelCase, enums as names, unknown members refused.</summary>
internal static class SavedJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static void Write<T>(Stream stream, T value)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonSerializer.Serialize(stream, value, Options);
    }

    /// <summary>Reads a saved object; a document that is not one (or of another kind or a newer version) is an <see cref="InvalidDataException"/>.</summary>
    public static T Read<T>(Stream stream, string expectedFormat, Func<T, string?> format, Func<T, int> version, int supportedVersion)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(stream);
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(stream, Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The stream is not a saved {expectedFormat}: {ex.Message}", ex);
        }
        if (value is null || format(value) != expectedFormat)
            throw new InvalidDataException($"The stream is not a saved {expectedFormat} (format '{(value is null ? "null" : format(value))}').");
        if (version(value) < 1 || version(value) > supportedVersion)
            throw new InvalidDataException(
                $"The saved {expectedFormat} has version {version(value)}; this GradSentry.MLNet reads version 1 to {supportedVersion}. Update GradSentry.MLNet or save it again.");
        return value;
    }
}
