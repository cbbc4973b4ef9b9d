using GradSentry.IO;

namespace GradSentry.Tool.Output;

/// <summary>
/// Several output files written all-or-nothing: each is rendered to a temporary file beside its destination, and
/// only when every one is complete are they renamed into place. A failure anywhere deletes every temporary file
/// (and a report folder this set created), so no partial output is left behind.
/// </summary>
public sealed class OutputSet : IDisposable
{
    readonly List<(string Temp, string Path, GuardedWriteStream Stream)> _pending = [];
    readonly List<string> _createdFolders = [];
    bool _committed;

    /// <summary>Creates <paramref name="folder"/> and any missing parents; the ones created are removed again (when empty) unless committed.</summary>
    /// <exception cref="UsageException">The path, or one of its parents, is a file.</exception>
    /// <exception cref="OutputWriteException">A folder cannot be created.</exception>
    public void EnsureFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var full = Path.GetFullPath(folder);
        if (Directory.Exists(full)) return;
        var missing = new Stack<string>();
        for (string? dir = full; dir is not null && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir))
                throw new UsageException(dir == full ? $"{folder}: is a file; --report needs a folder." : $"{folder}: '{dir}' is a file, so the folder cannot be created.");
            missing.Push(dir);
        }
        // Deepest first when rolling back: an emptied child lets its parent be removed too.
        while (missing.Count > 0)
        {
            var dir = missing.Pop();
            try
            {
                Directory.CreateDirectory(dir);
            }
            catch (Exception ex) when (OutputWriteException.IsWriteFailure(ex))
            {
                throw new OutputWriteException(folder, ex, GuardedWriteStream.Untouched);
            }
            _createdFolders.Insert(0, dir);
        }
    }

    /// <summary>Renders <paramref name="path"/> into a temporary file now; it appears under its name at <see cref="Commit"/>.</summary>
    /// <exception cref="UsageException">The destination's folder does not exist.</exception>
    /// <exception cref="OutputWriteException">The disk is full or the file cannot be written.</exception>
    public void Add(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temp = AtomicFile.Begin(path);
        var stream = AtomicFile.Create(temp, path);
        // Kept open (and so locked) until it is renamed: a concurrent run's cleanup never takes it for a dead process's.
        _pending.Add((temp, path, stream));
        write(stream);
        stream.FlushToDisk();
    }

    /// <summary>Moves every rendered file into place.</summary>
    /// <exception cref="OutputWriteException">A rename failed.</exception>
    public void Commit()
    {
        foreach (var (temp, path, stream) in _pending)
        {
            if (OperatingSystem.IsWindows()) stream.Dispose(); // Windows cannot rename a file that is open
            AtomicFile.Commit(temp, path);
            stream.Dispose();
        }
        _pending.Clear();
        _committed = true;
    }

    /// <summary>Deletes what was not committed.</summary>
    public void Dispose()
    {
        foreach (var (temp, _, stream) in _pending)
        {
            try
            {
                stream.Dispose();
            }
            catch (OutputWriteException)
            {
                // The file is being discarded anyway.
            }
            AtomicFile.Discard(temp);
        }
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
