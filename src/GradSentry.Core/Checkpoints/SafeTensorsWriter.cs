using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;

namespace GradSentry.Checkpoints;

/// <summary>
/// Writes safetensors files: tensors sorted by name (ordinal), packed without gaps, header padded with
/// spaces to a multiple of 8 bytes, written to a temporary file in the same folder and renamed into place.
/// The same input always gives the same bytes.
/// </summary>
public static class SafeTensorsWriter
{
    const int ChunkBytes = 16 << 20;

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device; F32, F16, BF16, F64, I64, I32, I16, I8, U8 or BOOL) and
    /// <paramref name="metadata"/> to <paramref name="path"/>, replacing it atomically.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, reserved or repeated, or a tensor has an unsupported type.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian hosts are not supported.");

        var entries = new List<(string Name, torch.Tensor Tensor, SafeTensorsDType DType, long[] Shape, long Bytes)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("a tensor name is empty.", nameof(tensors));
            if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"tensor '{name}' is given twice.", nameof(tensors));
            ArgumentNullException.ThrowIfNull(tensor, nameof(tensors));
            if (!SafeTensorsDTypes.TryFromScalarType(tensor.dtype, out var dtype))
                throw new ArgumentException($"tensor '{name}' has element type {tensor.dtype}, which safetensors files here cannot hold (supported: {SafeTensorsDTypes.SupportedNames}).", nameof(tensors));
            var shape = tensor.shape;
            entries.Add((name, tensor, dtype, shape, checked(tensor.numel() * dtype.ElementSize())));
        }
        entries.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));

        var header = BuildHeader(entries.Select(e => (e.Name, e.DType, e.Shape, e.Bytes)), metadata);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        var temp = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                stream.Write(prefix);
                stream.Write(header);
                foreach (var e in entries) WriteData(stream, e.Tensor);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// Writes a file whose tensors are produced one at a time: the header comes from <paramref name="tensors"/> (names,
    /// types, shapes; written in name order like <see cref="Write"/>), then <paramref name="writeData"/> is called once per
    /// tensor, in file order, and must write exactly that tensor's bytes (little-endian, row-major). Nothing but the
    /// tensor being written need be in memory, so files larger than memory can be written. Replaced atomically.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, reserved or repeated, or a shape is negative.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="writeData"/> wrote a different number of bytes than the tensor holds.</exception>
    public static void WriteStreaming(string path, IReadOnlyList<SafeTensorSpec> tensors, Action<SafeTensorSpec, Stream> writeData, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(writeData);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian hosts are not supported.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(tensors));
            if (string.IsNullOrEmpty(t.Name)) throw new ArgumentException("a tensor name is empty.", nameof(tensors));
            if (t.Name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor.", nameof(tensors));
            if (!names.Add(t.Name)) throw new ArgumentException($"tensor '{t.Name}' is given twice.", nameof(tensors));
            if (t.Shape.Any(d => d < 0)) throw new ArgumentException($"tensor '{t.Name}' has a negative dimension.", nameof(tensors));
        }
        var ordered = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var header = BuildHeader(ordered.Select(t => (t.Name, t.DType, t.Shape, t.ByteLength)), metadata);
        WriteAtomically(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            foreach (var t in ordered)
            {
                var before = stream.Position;
                writeData(t, stream);
                var written = stream.Position - before;
                if (written != t.ByteLength)
                    throw new InvalidOperationException($"tensor '{t.Name}': {written} bytes were written but {SafeTensorInfo.FormatShape(t.Shape)} {t.DType.HeaderName()} holds {t.ByteLength}.");
            }
        });
    }

    static void WriteAtomically(string path, Action<FileStream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        var temp = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The padded JSON header for entries already in file order.</summary>
    internal static byte[] BuildHeader(IEnumerable<(string Name, SafeTensorsDType DType, long[] Shape, long Bytes)> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var key in metadata.Keys.Order(StringComparer.Ordinal))
                {
                    var value = metadata[key] ?? throw new ArgumentException($"metadata key '{key}' has a null value.", nameof(metadata));
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, dtype, shape, bytes) in entries)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype.HeaderName());
                json.WriteStartArray("shape");
                foreach (var d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        var padded = (buffer.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    static void WriteData(FileStream stream, torch.Tensor tensor)
    {
        if (tensor.numel() == 0) return;
        // A scope per tensor: the detached / CPU / contiguous copies die here, the caller's tensor is untouched.
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.detach();
        if (cpu.device_type != DeviceType.CPU) cpu = cpu.cpu();
        cpu = cpu.contiguous().view(-1);
        var elementSize = (int)cpu.element_size();
        var chunk = Math.Max(1, ChunkBytes / elementSize);
        var total = cpu.numel();
        for (long start = 0; start < total; start += chunk)
        {
            using var part = cpu.narrow(0, start, Math.Min(chunk, total - start));
            stream.Write(part.bytes);
        }
    }
}
