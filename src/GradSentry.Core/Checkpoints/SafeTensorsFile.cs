using System.Buffers.Binary;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using TorchSharp;

namespace GradSentry.Checkpoints;

/// <summary>
/// A read-only safetensors file with a validated header. A tensor whose element type the destination shares is read
/// straight into the destination's storage, <see cref="CopyChunkBytes"/> at a time; one that is converted goes through
/// short-lived memory-mapped views and a staging buffer of that size. Either way reading a checkpoint costs little more
/// resident memory than the destination tensors themselves.
/// The file is never written.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Default size of one mapped view (and of the staging buffer used when converting).</summary>
    public const int DefaultCopyChunkBytes = 16 << 20;

    readonly FileStream _stream;
    readonly MemoryMappedFile? _map;
    readonly Dictionary<string, SafeTensorInfo> _byName;
    bool _disposed;

    SafeTensorsFile(string path, FileStream stream, MemoryMappedFile? map, List<SafeTensorInfo> tensors, Dictionary<string, string> metadata, long headerLength, CheckpointException? layoutProblem)
    {
        LayoutProblem = layoutProblem;
        Path = path;
        _stream = stream;
        _map = map;
        Tensors = tensors.AsReadOnly();
        Metadata = metadata.AsReadOnly();
        HeaderLength = headerLength;
        _byName = new Dictionary<string, SafeTensorInfo>(tensors.Count, StringComparer.Ordinal);
        foreach (var t in tensors) _byName.Add(t.Name, t);
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Unused bytes in the data block (only when opened with deferred layout problems; see <see cref="Open(string, bool)"/>).</summary>
    internal CheckpointException? LayoutProblem { get; }

    /// <summary>Length in bytes of the JSON header (including its padding).</summary>
    public long HeaderLength { get; }

    /// <summary>Bytes mapped at a time while copying a tensor; smaller means less resident memory, more system calls.</summary>
    public int CopyChunkBytes
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 8);
            field = value;
        }
    } = DefaultCopyChunkBytes;

    /// <summary>The entry for <paramref name="name"/>.</summary>
    /// <exception cref="CheckpointException">No tensor has that name.</exception>
    public SafeTensorInfo this[string name] => TryGet(name, out var info)
        ? info
        : throw new CheckpointException(Path, name, "no such tensor in this file" + Suggest(name) + ".");

    /// <summary>Whether the file holds a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Looks up <paramref name="name"/>.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SafeTensorInfo? info) => _byName.TryGetValue(name, out info);

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointException">The file is missing, unreadable, or not a valid safetensors file.</exception>
    public static SafeTensorsFile Open(string path) => Open(path, deferLayoutProblems: false);

    /// <summary>
    /// Opens <paramref name="path"/>; with <paramref name="deferLayoutProblems"/>, unused bytes in the data block are kept in
    /// <see cref="LayoutProblem"/> instead of thrown, so that a caller who knows which tensors to expect can name a
    /// missing one (whose bytes are usually that gap) before reporting the gap.
    /// </summary>
    internal static SafeTensorsFile Open(string path, bool deferLayoutProblems)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian hosts are not supported.");
        var full = System.IO.Path.GetFullPath(path);
        FileStream stream;
        try
        {
            stream = GradSentry.IO.RegularFile.OpenRead(full, GradSentry.IO.RegularFile.Unlimited, bufferSize: 1, FileOptions.RandomAccess);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException(full, null, "the file does not exist.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(full, null, "the file cannot be opened for reading: " + ex.Message, ex);
        }

        MemoryMappedFile? map = null;
        try
        {
            var length = stream.Length;
            if (length < 8)
                throw new CheckpointException(full, null, string.Create(CultureInfo.InvariantCulture,
                    $"the file is {length} bytes long, shorter than the 8-byte header length field; it is truncated or not a safetensors file."));
            Span<byte> prefix = stackalloc byte[8];
            ReadExactly(stream, prefix, 0);
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > SafeTensorsHeader.MaxHeaderBytes)
                throw new CheckpointException(full, null, string.Create(CultureInfo.InvariantCulture,
                    $"the header length field says {headerLength} bytes, above the {SafeTensorsHeader.MaxHeaderBytes}-byte limit; the file is corrupt or not a safetensors file."));
            if ((long)headerLength > length - 8)
                throw new CheckpointException(full, null, string.Create(CultureInfo.InvariantCulture,
                    $"the header length field says {headerLength} bytes but only {length - 8} follow it; the file is truncated or not a safetensors file."));
            var header = new byte[(int)headerLength];
            ReadExactly(stream, header, 8);
            var dataStart = 8 + (long)headerLength;
            var parsed = SafeTensorsHeader.Parse(header, dataStart, length - dataStart, full);
            if (length > dataStart)
                map = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            if (parsed.LayoutProblem is { } problem && !deferLayoutProblems) throw problem;
            return new SafeTensorsFile(full, stream, map, parsed.Tensors, parsed.Metadata, (long)headerLength, parsed.LayoutProblem);
        }
        catch (Exception ex)
        {
            map?.Dispose();
            stream.Dispose();
            if (ex is IOException and not CheckpointException)
                throw new CheckpointException(full, null, "the file cannot be read: " + ex.Message, ex);
            throw;
        }
    }

    static void ReadExactly(FileStream stream, Span<byte> buffer, long offset)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = RandomAccess.Read(stream.SafeFileHandle, buffer[done..], offset + done);
            if (n == 0) throw new EndOfStreamException("the file ended while reading its header (was it truncated while being read?)");
            done += n;
        }
    }

    /// <summary>
    /// A new tensor holding <paramref name="name"/>, converted to <paramref name="dtype"/> on <paramref name="device"/>.
    /// Floating-point data (F32/F16/BF16/F64) converts to any floating-point type; integer and boolean data only load as their own type.
    /// </summary>
    /// <exception cref="CheckpointException">No such tensor, or the conversion is not allowed.</exception>
    public torch.Tensor Load(string name, torch.ScalarType dtype, torch.Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var info = this[name];
        CheckConvertible(info, dtype);
        var result = torch.empty(info.Shape, dtype, device);
        try
        {
            CopyChecked(info, result);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies <paramref name="name"/> into <paramref name="destination"/> (any device, any allowed dtype), under <c>no_grad</c>.
    /// </summary>
    /// <exception cref="CheckpointException">No such tensor, the shapes differ, or the conversion is not allowed.</exception>
    public void CopyInto(string name, torch.Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var info = this[name];
        CheckShape(info, destination);
        CheckConvertible(info, destination.dtype);
        CopyChecked(info, destination);
    }

    internal static void CheckShape(SafeTensorInfo info, torch.Tensor destination)
    {
        var shape = destination.shape;
        if (!shape.AsSpan().SequenceEqual(info.Shape))
            throw new CheckpointException(info.File, info.Name,
                $"shape mismatch: the destination expects {SafeTensorInfo.FormatShape(shape)} but the checkpoint holds {info.ShapeText}; check that config.json matches the weights.");
    }

    internal static void CheckConvertible(SafeTensorInfo info, torch.ScalarType dtype)
    {
        var source = info.DType.ToScalarType();
        if (source == dtype) return;
        if (info.DType.IsFloatingPoint())
        {
            if (torch.is_floating_point(dtype)) return;
            throw new CheckpointException(info.File, info.Name,
                $"holds {info.DType.HeaderName()} floating-point data, which cannot be loaded as {dtype}; load it as a floating-point type.");
        }
        throw new CheckpointException(info.File, info.Name,
            $"holds {info.DType.HeaderName()} data, which is not floating point and cannot be converted to {dtype}; integer and boolean tensors are not weights (load it as {source}, or check the tensor name mapping).");
    }

    void CopyChecked(SafeTensorInfo info, torch.Tensor destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (info.ByteLength == 0) return;
        using var noGrad = torch.no_grad();
        var sourceType = info.DType.ToScalarType();
        if (destination.is_contiguous())
        {
            using var flat = destination.view(-1);
            CopyFlat(info, flat, direct: destination.device_type == DeviceType.CPU && destination.dtype == sourceType);
        }
        else
        {
            using var staging = torch.empty(info.Shape, sourceType, torch.CPU);
            using (var flat = staging.view(-1)) CopyFlat(info, flat, direct: true);
            destination.copy_(staging);
        }
    }

    /// <summary>Copies the tensor's bytes into the contiguous 1-D <paramref name="flat"/>, one mapped chunk at a time.</summary>
    unsafe void CopyFlat(SafeTensorInfo info, torch.Tensor flat, bool direct)
    {
        var elementSize = info.DType.ElementSize();
        var total = info.ElementCount;
        var chunkElements = Math.Max(1, CopyChunkBytes / elementSize);
        if (direct)
        {
            // Same type on the CPU: read the file straight into the destination's storage (one copy, no page mapping).
            for (long start = 0; start < total; start += chunkElements)
            {
                var count = Math.Min(chunkElements, total - start);
                using var target = flat.narrow(0, start, count);
                var span = target.bytes;
                var offset = info.DataOffset + start * elementSize;
                for (var done = 0; done < span.Length;)
                {
                    var n = RandomAccess.Read(_stream.SafeFileHandle, span[done..], offset + done);
                    if (n == 0) throw new CheckpointException(Path, info.Name, "the file ended inside this tensor's data (was it truncated while being read?).");
                    done += n;
                }
            }
            return;
        }
        using var staging = torch.empty(Math.Min(chunkElements, total), info.DType.ToScalarType(), torch.CPU);
        for (long start = 0; start < total; start += chunkElements)
        {
            var count = Math.Min(chunkElements, total - start);
            var bytes = (int)(count * elementSize);
            using var view = _map!.CreateViewAccessor(info.DataOffset + start * elementSize, bytes, MemoryMappedFileAccess.Read);
            var handle = view.SafeMemoryMappedViewHandle;
            byte* pointer = null;
            handle.AcquirePointer(ref pointer);
            try
            {
                var source = new ReadOnlySpan<byte>(pointer + view.PointerOffset, bytes);
                using var target = flat.narrow(0, start, count);
                using var stage = count == staging.shape[0] ? staging.alias() : staging.narrow(0, 0, count);
                source.CopyTo(stage.bytes);
                target.copy_(stage);
            }
            finally
            {
                handle.ReleasePointer();
            }
        }
    }

    string Suggest(string name)
    {
        var close = _byName.Keys.Where(k => k.EndsWith(name, StringComparison.Ordinal) || name.EndsWith(k, StringComparison.Ordinal)).Take(3).ToList();
        return close.Count == 0 ? "" : "; similar names: " + string.Join(", ", close.Select(c => "'" + c + "'"));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _map?.Dispose();
        _stream.Dispose();
    }
}
