using System.Globalization;
using GradSentry.IO;

namespace GradSentry.Tool.Output;

/// <summary>
/// Writes files so that a reader never sees half of one: the content goes to a temporary file in the same folder,
/// which is renamed over the destination only when complete. On any error the temporary file is deleted; one left by a
/// process that was killed (<c>kill -9</c>) is deleted by the next write to the same destination.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, atomically.</summary>
    /// <exception cref="UsageException">The folder does not exist or cannot be written.</exception>
    /// <exception cref="OutputWriteException">The disk is full or the file cannot be written (nothing is left behind).</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temp = Begin(path);
        try
        {
            using (var stream = Create(temp, path))
            {
                write(stream);
                stream.FlushToDisk();
            }
            Commit(temp, path);
        }
        catch
        {
            Discard(temp);
            throw;
        }
    }

    /// <summary>
    /// Checks <paramref name="path"/>'s folder, deletes temporary files that dead processes left for it, and returns the
    /// name of a fresh temporary file beside it.
    /// </summary>
    /// <exception cref="UsageException">The path is a folder, or its folder does not exist.</exception>
    public static string Begin(string path)
    {
        CheckDestination(path);
        var full = Path.GetFullPath(path);
        CleanStale(full);
        return Path.Combine(Path.GetDirectoryName(full)!, string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"));
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

    /// <summary>Creates the temporary file <paramref name="temp"/> for <paramref name="path"/>, held exclusively until it is disposed.</summary>
    /// <exception cref="OutputWriteException">The file cannot be created.</exception>
    internal static GuardedWriteStream Create(string temp, string path)
    {
        try
        {
            // Read too: a Parquet row group is appended by re-reading the footer. FileShare.None also locks the file, so a
            // concurrent run never takes it for a dead process's leftover.
            return new GuardedWriteStream(new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16), path);
        }
        catch (Exception ex) when (OutputWriteException.IsWriteFailure(ex))
        {
            throw new OutputWriteException(path, ex, GuardedWriteStream.Untouched);
        }
    }

    /// <summary>Moves a finished temporary file over <paramref name="path"/>.</summary>
    /// <exception cref="OutputWriteException">The rename failed.</exception>
    public static void Commit(string temp, string path)
    {
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (OutputWriteException.IsWriteFailure(ex))
        {
            throw new OutputWriteException(path, ex, GuardedWriteStream.Untouched);
        }
    }

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

    /// <summary>
    /// Deletes the temporary files <c>.NAME.PID.GUID.tmp</c> of <paramref name="full"/> whose process is gone and which
    /// nobody holds open (a live writer holds its temporary file locked until it renames it).
    /// </summary>
    static void CleanStale(string full)
    {
        var folder = Path.GetDirectoryName(full)!;
        var prefix = "." + Path.GetFileName(full) + ".";
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(folder, prefix + "*.tmp").ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var candidate in candidates)
        {
            var middle = Path.GetFileName(candidate)[prefix.Length..^".tmp".Length].Split('.');
            if (middle.Length != 2 || middle[1].Length != 32 || !int.TryParse(middle[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (pid == Environment.ProcessId || Processes.IsRunning(pid)) continue;
            try
            {
                using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    // Nobody holds it.
                }
                File.Delete(candidate);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Held by a live writer (another machine's, or another PID namespace's), or not ours to delete.
            }
        }
    }
}
