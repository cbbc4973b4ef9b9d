namespace GradSentry.Tool.Output;

/// <summary>
/// Writes files so that a reader never sees half of one: the content goes to a temporary file in the same folder,
/// which is renamed over the destination only when complete. On any error the temporary file is deleted.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, atomically.</summary>
    /// <exception cref="UsageException">The folder does not exist or cannot be written.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temp = Begin(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            Commit(temp, path);
        }
        catch
        {
            Discard(temp);
            throw;
        }
    }

    /// <summary>Checks <paramref name="path"/>'s folder and returns the name of a fresh temporary file beside it.</summary>
    /// <exception cref="UsageException">The path is a folder, or its folder does not exist.</exception>
    public static string Begin(string path)
    {
        CheckDestination(path);
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Fails early, before any work, when <paramref name="path"/> cannot be written as a file.</summary>
    /// <exception cref="UsageException">The path is empty or a folder, or its folder does not exist.</exception>
    public static void CheckDestination(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException("an output path is empty.");
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new UsageException($"{path}: is a folder; name a file to write.");
        var folder = Path.GetDirectoryName(full);
        if (folder is null || !Directory.Exists(folder))
            throw new UsageException($"{path}: the folder '{folder}' does not exist; create it first or write somewhere else.");
    }

    /// <summary>Moves a finished temporary file over <paramref name="path"/>.</summary>
    public static void Commit(string temp, string path) => File.Move(temp, path, overwrite: true);

    /// <summary>Deletes a temporary file, ignoring failures.</summary>
    public static void Discard(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
