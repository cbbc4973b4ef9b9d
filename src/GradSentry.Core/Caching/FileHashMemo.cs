using System.Text.Json;

namespace GradSentry.Caching;

/// <summary>
/// Remembers file hashes by (full path, size, last write time), so a multi-gigabyte checkpoint is
/// hashed once per change, not once per scan. A missing or unreadable memo just means rehashing.
/// </summary>
sealed class FileHashMemo
{
    readonly string? _path;
    readonly Dictionary<string, string> _entries;
    bool _changed;

    FileHashMemo(string? path, Dictionary<string, string> entries)
    {
        _path = path;
        _entries = entries;
    }

    public static FileHashMemo Load(string? path)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        if (path != null && File.Exists(path))
        {
            try
            {
                entries = JsonSerializer.Deserialize<Dictionary<string, string>>(GradSentry.IO.RegularFile.ReadAllText(path, 256 << 20)) ?? entries;
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                // A damaged memo is only a lost optimisation.
            }
        }
        return new FileHashMemo(path, entries);
    }

    public string HashOf(string file)
    {
        var info = new FileInfo(file);
        var key = $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        if (_entries.TryGetValue(key, out var hash) && hash.Length == 64) return hash;
        hash = ContentHash.OfFile(file);
        _entries[key] = hash;
        _changed = true;
        return hash;
    }

    public void Save()
    {
        if (_path == null || !_changed) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        var temp = _path + "." + Environment.ProcessId + ".tmp";
        DeleteStale(_path);
        try
        {
            File.WriteAllText(temp, JsonSerializer.Serialize(_entries));
            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception ex) when (GradSentry.IO.OutputWriteException.IsWriteFailure(ex))
        {
            // The memo only saves rehashing the model next time: a full disk costs that, nothing more.
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Deletes <c>PATH.PID.tmp</c> files whose process is gone (a scan killed while it saved the memo).</summary>
    static void DeleteStale(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var prefix = Path.GetFileName(path) + ".";
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, prefix + "*.tmp").ToList())
            {
                var middle = Path.GetFileName(file)[prefix.Length..^".tmp".Length];
                if (!int.TryParse(middle, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)) continue;
                if (pid == Environment.ProcessId || GradSentry.IO.Processes.IsRunning(pid)) continue;
                File.Delete(file);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only tidying.
        }
    }
}
