using System.Text.Json;

namespace GradSentry.Build;

/// <summary>
/// Finds the local tool manifest the <c>dotnet</c> CLI would use from a folder (<c>.config/dotnet-tools.json</c> or
/// <c>dotnet-tools.json</c>, in that folder and its parents, up to one marked <c>"isRoot": true</c>), and tells whether
/// any of them lists a tool package.
/// </summary>
internal static class LocalToolManifest
{
    /// <summary>The manifest under or above <paramref name="directory"/> that lists <paramref name="packageId"/>, or null.</summary>
    public static string? Providing(string directory, string packageId)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            var isRoot = false;
            foreach (var candidate in new[] { Path.Combine(dir.FullName, ".config", "dotnet-tools.json"), Path.Combine(dir.FullName, "dotnet-tools.json") })
            {
                if (!File.Exists(candidate))
                {
                    continue;
                }

                var (lists, root) = Read(candidate, packageId);
                if (lists)
                {
                    return candidate;
                }

                isRoot |= root;
            }

            if (isRoot)
            {
                return null;
            }
        }

        return null;
    }

    static (bool Lists, bool IsRoot) Read(string manifest, string packageId)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(manifest), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            var isRoot = root.TryGetProperty("isRoot", out var flag) && flag.ValueKind == JsonValueKind.True;
            var lists = root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Object
                && tools.EnumerateObject().Any(t => string.Equals(t.Name, packageId, StringComparison.OrdinalIgnoreCase));
            return (lists, isRoot);
        }
        catch (JsonException)
        {
            // The CLI reports a broken manifest itself when the tool runs.
            return (true, true);
        }
        catch (IOException)
        {
            return (false, false);
        }
    }
}
