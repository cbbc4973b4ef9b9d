using System.Text;
using System.Text.Json;
using GradSentry.Tool.Output;

namespace GradSentry.Tool.Baselines;

/// <summary>
/// A reviewed baseline: rows accepted by a person, matched by content hash. File format (JSON):
/// <c>{"version":1,"entries":[{"rowHash","file","line","score","reviewedBy","reason"}, ...]}</c>, one entry per line.
/// </summary>
public sealed class BaselineFile
{
    /// <summary>The format version written and accepted.</summary>
    public const int FormatVersion = 1;

    /// <summary>Creates a baseline from entries.</summary>
    public BaselineFile(IReadOnlyList<BaselineEntry> entries, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Entries = entries;
        Path = path;
    }

    /// <summary>The entries, in file order.</summary>
    public IReadOnlyList<BaselineEntry> Entries { get; }

    /// <summary>The file it was read from, if any.</summary>
    public string? Path { get; }

    /// <summary>Reads a baseline file.</summary>
    /// <exception cref="UsageException">The file is missing or not a baseline (the message says which entry and why).</exception>
    public static BaselineFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = GradSentry.IO.RegularFile.ReadAllText(path, 1L << 30);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: the baseline file cannot be read ({ex.Message}). Create one with 'dotnet gradsentry baseline'.");
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
                throw new UsageException($"{path}: not a GradSentry baseline (expected {{\"version\":1,\"entries\":[...]}}).");
            if (root.TryGetProperty("version", out var version) && (version.ValueKind != JsonValueKind.Number || version.GetInt32() != FormatVersion))
                throw new UsageException($"{path}: baseline version {version} is not supported; this tool reads version {FormatVersion}.");
            var list = new List<BaselineEntry>();
            var n = 0;
            foreach (var e in entries.EnumerateArray())
            {
                string Str(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString()!
                    : throw new UsageException($"{path}: entry {n} has no string '{name}'.");
                var hash = Str("rowHash");
                if (hash.Length != 64 || !hash.All(Uri.IsHexDigit))
                    throw new UsageException($"{path}: entry {n} has a rowHash that is not a SHA-256 hex string.");
                var line = e.TryGetProperty("line", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt64() : 0;
                var score = e.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : double.NaN;
                list.Add(new BaselineEntry(hash.ToLowerInvariant(), Str("file"), line, score, Str("reviewedBy"), Str("reason")));
                n++;
            }
            return new BaselineFile(list, path);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{path}({ex.LineNumber + 1},{ex.BytePositionInLine + 1}): the baseline is not valid JSON ({ex.Message.Split(" LineNumber:")[0]}).");
        }
        catch (InvalidOperationException ex)
        {
            throw new UsageException($"{path}: the baseline has a value of the wrong type ({ex.Message}).");
        }
        catch (FormatException ex)
        {
            throw new UsageException($"{path}: the baseline has a number out of range ({ex.Message}).");
        }
    }

    /// <summary>The 1-based line of the entry for <paramref name="rowHash"/> in the file it was read from (0 when unknown).</summary>
    public long LineOf(string rowHash)
    {
        if (Path is null) return 0;
        try
        {
            var n = 0L;
            foreach (var line in File.ReadLines(Path))
            {
                n++;
                if (line.Contains(rowHash, StringComparison.OrdinalIgnoreCase)) return n;
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    /// <summary>Writes the baseline atomically to <paramref name="path"/>, one entry per line.</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
            writer.WriteLine("{");
            writer.WriteLine("  \"version\": " + FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",");
            writer.WriteLine("  \"entries\": [");
            for (var i = 0; i < Entries.Count; i++)
            {
                var e = Entries[i];
                var json = JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["rowHash"] = e.RowHash,
                    ["file"] = e.File,
                    ["line"] = e.Line,
                    ["score"] = double.IsFinite(e.Score) ? e.Score : null,
                    ["reviewedBy"] = e.ReviewedBy,
                    ["reason"] = e.Reason,
                });
                writer.WriteLine("    " + json + (i + 1 < Entries.Count ? "," : ""));
            }
            writer.WriteLine("  ]");
            writer.WriteLine("}");
        });
    }
}
