using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace GradSentry.IO;

/// <summary>
/// What a path is (<see cref="FileKind"/>), its size, and its identity (device and inode), read without opening it:
/// opening a FIFO blocks until a writer comes, so the kind must be known first. On Linux this is <c>statx(2)</c>, whose
/// layout is the same on every architecture; elsewhere the kind is approximated from .NET's file information (regular
/// file or directory) and the identity is the resolved full path.
/// </summary>
/// <param name="Kind">What the path names.</param>
/// <param name="Size">Size in bytes (regular files; 0 otherwise).</param>
/// <param name="Device">The file system's device number (0 where unknown).</param>
/// <param name="Inode">The inode number (0 where unknown).</param>
/// <param name="ResolvedPath">The full path with symbolic links resolved.</param>
public sealed partial record FileFacts(FileKind Kind, long Size, ulong Device, ulong Inode, string ResolvedPath)
{
    const int AtFdCwd = -100;
    const int AtSymlinkNoFollow = 0x100;
    const int AtEmptyPath = 0x1000;
    const uint StatxBasicStats = 0x7ff;
    const int StatxSize = 256;

    /// <summary>Whether the path names something.</summary>
    public bool Exists => Kind != FileKind.Missing;

    /// <summary>The facts about <paramref name="path"/>, following symbolic links unless <paramref name="followLinks"/> is false.</summary>
    public static FileFacts Of(string path, bool followLinks = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var resolved = Resolve(full);
        if (OperatingSystem.IsLinux())
        {
            Span<byte> buffer = stackalloc byte[StatxSize];
            if (Statx(AtFdCwd, full, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, ref MemoryMarshal.GetReference(buffer)) != 0)
                return new FileFacts(FileKind.Missing, 0, 0, 0, resolved);
            return FromStatx(buffer, resolved);
        }
        return Managed(full, resolved, followLinks);
    }

    /// <summary>The facts about an open file (Linux: <c>fstat</c> of the handle; elsewhere: its path).</summary>
    public static FileFacts Of(FileStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (OperatingSystem.IsLinux())
        {
            Span<byte> buffer = stackalloc byte[StatxSize];
            var fd = (int)stream.SafeFileHandle.DangerousGetHandle();
            if (Statx(fd, "", AtEmptyPath, StatxBasicStats, ref MemoryMarshal.GetReference(buffer)) == 0)
                return FromStatx(buffer, Resolve(stream.Name));
        }
        return Of(stream.Name);
    }

    /// <summary>Whether both name the same existing file (the same inode on the same device: hard links and symbolic links included).</summary>
    public bool IsSameFileAs(FileFacts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Exists || !other.Exists) return false;
        if (Inode != 0 && other.Inode != 0) return Inode == other.Inode && Device == other.Device;
        return string.Equals(ResolvedPath, other.ResolvedPath, OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>The kind in words, for messages (<c>a FIFO (named pipe)</c>, <c>a character device</c>, ...).</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLink => "a symbolic link",
        _ => kind.ToString(),
    };

    static FileFacts FromStatx(ReadOnlySpan<byte> buffer, string resolved)
    {
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer[28..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.CharacterDevice, // unknown: treat as something that is not a file
        };
        var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer[32..]);
        var size = (long)BinaryPrimitives.ReadUInt64LittleEndian(buffer[40..]);
        var device = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(buffer[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(buffer[140..]);
        return new FileFacts(kind, kind == FileKind.Regular ? size : 0, device, inode, resolved);
    }

    static FileFacts Managed(string full, string resolved, bool followLinks)
    {
        FileSystemInfo info = new FileInfo(full);
        if (!info.Exists && Directory.Exists(full)) info = new DirectoryInfo(full);
        if (!info.Exists && info.LinkTarget is null) return new FileFacts(FileKind.Missing, 0, 0, 0, resolved);
        if (!followLinks && info.LinkTarget is not null) return new FileFacts(FileKind.SymbolicLink, 0, 0, 0, full);
        if (followLinks && info.LinkTarget is not null)
        {
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists) return new FileFacts(FileKind.Missing, 0, 0, 0, resolved);
            info = target;
        }
        return info is DirectoryInfo
            ? new FileFacts(FileKind.Directory, 0, 0, 0, resolved)
            : new FileFacts(FileKind.Regular, ((FileInfo)info).Length, 0, 0, resolved);
    }

    /// <summary>The full path with every symbolic link along it resolved (as far as it exists).</summary>
    static string Resolve(string full)
    {
        try
        {
            var info = new FileInfo(full);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target) full = target.FullName;
            var folder = Path.GetDirectoryName(full);
            if (folder is null) return full;
            var resolvedFolder = ResolveFolder(folder);
            return Path.Combine(resolvedFolder, Path.GetFileName(full));
        }
        catch (IOException)
        {
            return full;
        }
        catch (UnauthorizedAccessException)
        {
            return full;
        }
    }

    static string ResolveFolder(string folder)
    {
        var parent = Path.GetDirectoryName(folder);
        var resolvedParent = parent is null ? null : ResolveFolder(parent);
        var here = resolvedParent is null ? folder : Path.Combine(resolvedParent, Path.GetFileName(folder));
        var info = new DirectoryInfo(here);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target) return target.FullName;
        return here;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref byte buffer);
}
