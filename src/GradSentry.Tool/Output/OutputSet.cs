namespace GradSentry.Tool.Output;

/// <summary>
/// Several output files written all-or-nothing: each is rendered to a temporary file beside its destination, and
/// only when every one is complete are they renamed into place. A failure anywhere deletes every temporary file
/// (and a report folder this set created), so no partial output is left behind.
/// </summary>
public sealed class OutputSet : IDisposable
{
    readonly List<(string Temp, string Path)> _pending = [];
    readonly List<string> _createdFolders = [];
    bool _committed;

    /// <summary>Creates <paramref name="folder"/> if it is missing (its parent must exist); removed again unless committed.</summary>
    /// <exception cref="UsageException">The parent folder does not exist, or the path is a file.</exception>
    public void EnsureFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var full = Path.GetFullPath(folder);
        if (Directory.Exists(full)) return;
        if (File.Exists(full)) throw new UsageException($"{folder}: is a file; --report needs a folder.");
        var parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent))
            throw new UsageException($"{folder}: its parent folder '{parent}' does not exist; create it first or write somewhere else.");
        Directory.CreateDirectory(full);
        _createdFolders.Add(full);
    }

    /// <summary>Renders <paramref name="path"/> into a temporary file now; it appears under its name at <see cref="Commit"/>.</summary>
    /// <exception cref="UsageException">The destination's folder does not exist.</exception>
    public void Add(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temp = AtomicFile.Begin(path);
        _pending.Add((temp, path));
        using var stream = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16); // read too: a Parquet row group is appended by re-reading the footer
        write(stream);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Moves every rendered file into place.</summary>
    public void Commit()
    {
        foreach (var (temp, path) in _pending) AtomicFile.Commit(temp, path);
        _pending.Clear();
        _committed = true;
    }

    /// <summary>Deletes what was not committed.</summary>
    public void Dispose()
    {
        foreach (var (temp, _) in _pending) AtomicFile.Discard(temp);
        _pending.Clear();
        if (_committed) return;
        foreach (var folder in _createdFolders)
        {
            try
            {
                if (!Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
