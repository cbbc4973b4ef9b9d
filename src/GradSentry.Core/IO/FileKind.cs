namespace GradSentry.IO;

/// <summary>What a path names in the file system.</summary>
public enum FileKind
{
    /// <summary>Nothing (or a dangling symbolic link, when links are followed).</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A FIFO (named pipe): reading it blocks until a writer comes and ends when the writer does.</summary>
    Fifo,

    /// <summary>A character device such as <c>/dev/zero</c> or a terminal: it may never end.</summary>
    CharacterDevice,

    /// <summary>A block device (a disk).</summary>
    BlockDevice,

    /// <summary>A Unix domain socket.</summary>
    Socket,

    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,
}
