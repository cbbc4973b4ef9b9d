using System.Security.Cryptography;
using GradSentry.Scoring;

namespace GradSentry.Caching;

/// <summary>
/// Append-only store of probe results keyed by the content hash of (model files, probe options,
/// encoded sample). A rescan of unchanged data probes nothing; a scan killed part-way resumes
/// from what was appended. Every record carries a checksum: a torn or corrupt record ends the
/// readable part of its file, is dropped (the file is truncated there) and gets recomputed.
/// </summary>
/// <remarks>
/// One file per (model, options) fingerprint; a second process finding it locked writes its own
/// file beside it (<c>&lt;fingerprint&gt;.&lt;pid&gt;.gscache</c>), and readers merge all of them. The lock is an
/// exclusive lock on <c>FILE.lock</c>, held while a cache writes FILE and released by the system when the process ends
/// however it ends, so two scans never append to one file. A torn tail is cut only by the file's lock holder. An append
/// that fails (disk full) is undone before the error is reported, so the file keeps every complete record. Memory holds
/// only a key → location index (about 60 bytes a row), not the results.
/// </remarks>
public sealed class ScoreCache : IDisposable
{
    const uint Magic = 0x31525347; // "GSR1"
    const int KeyBytes = 32;
    const int ChecksumBytes = 8;

    readonly Dictionary<string, (string File, long Offset)> _index = new(StringComparer.Ordinal);
    readonly Dictionary<string, FileStream> _readers = new(StringComparer.Ordinal);
    readonly Dictionary<string, long> _indexedEnd = new(StringComparer.Ordinal);
    readonly string _directory;
    readonly string _fingerprint;
    FileStream? _writer;
    FileStream? _lock;

    ScoreCache(string directory, string fingerprint)
    {
        _directory = directory;
        _fingerprint = fingerprint;
    }

    /// <summary>Records found and trusted when the cache was opened.</summary>
    public int LoadedRecords { get; private set; }

    /// <summary>Records dropped as torn or corrupt when the cache was opened.</summary>
    public int DroppedRecords { get; private set; }

    /// <summary>Opens (creating if needed) the cache for one (model, options) fingerprint.</summary>
    public static ScoreCache Open(string directory, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(fingerprint);
        Directory.CreateDirectory(directory);
        var cache = new ScoreCache(directory, fingerprint);
        foreach (var file in Directory.EnumerateFiles(directory, fingerprint + "*.gscache").Order(StringComparer.Ordinal))
            cache.Index(file);
        return cache;
    }

    /// <summary>The cached spectrum for <paramref name="sample"/>, or null.</summary>
    public GradientSpectrum? TryGet(EncodedSample sample)
    {
        var key = Convert.ToHexString(ContentHash.OfSample(sample));
        if (!_index.TryGetValue(key, out var at)) return null;
        if (!_readers.TryGetValue(at.File, out var reader))
            _readers[at.File] = reader = new FileStream(at.File, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        reader.Position = at.Offset;
        return ReadRecord(reader, out _, out var spectrum) ? spectrum : null;
    }

    /// <summary>Appends a result; it is durable once this returns (flushed to the OS).</summary>
    public void Add(EncodedSample sample, GradientSpectrum spectrum)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        var key = ContentHash.OfSample(sample);
        var writer = Writer();
        var body = new MemoryStream();
        using (var w = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(key);
            w.Write(spectrum.AnswerTokens);
            w.Write(spectrum.Loss);
            w.Write(spectrum.GradientNorm);
            w.Write(spectrum.SingularValues.Length);
            foreach (var s in spectrum.SingularValues) w.Write(s);
            // The gradient sketch is optional: records without one stay readable, and a scan that needs it treats them as misses.
            if (spectrum.Sketch is { } sketch)
            {
                w.Write(sketch.Length);
                foreach (var v in sketch) w.Write(v);
            }
        }
        var bytes = body.ToArray();
        var offset = writer.Length;
        var record = new byte[8 + bytes.Length + ChecksumBytes];
        BitConverter.TryWriteBytes(record.AsSpan(0), Magic);
        BitConverter.TryWriteBytes(record.AsSpan(4), bytes.Length);
        bytes.CopyTo(record, 8);
        SHA256.HashData(bytes).AsSpan(0, ChecksumBytes).CopyTo(record.AsSpan(8 + bytes.Length));
        try
        {
            writer.Position = offset;
            writer.Write(record);
            writer.Flush();
        }
        catch (Exception ex) when (GradSentry.IO.OutputWriteException.IsWriteFailure(ex))
        {
            // Disk full (or a size limit) part-way through the record: cut it off again, so the file ends with a complete record.
            Undo(writer, offset);
            throw new GradSentry.IO.OutputWriteException(writer.Name, ex,
                "The score cache keeps every row scored before; free space (or use another --cache folder) and run again to resume.");
        }
        _index[Convert.ToHexString(key)] = (writer.Name, offset);
    }

    static void Undo(FileStream writer, long offset)
    {
        try
        {
            writer.SetLength(offset);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The torn tail stays; it fails its checksum and is cut by the next writer.
        }
    }

    FileStream Writer()
    {
        if (_writer != null) return _writer;
        foreach (var name in new[] { _fingerprint + ".gscache", $"{_fingerprint}.{Environment.ProcessId}.gscache" })
        {
            var path = Path.Combine(_directory, name);
            FileStream? held = null;
            try
            {
                // The lock file's FileShare.None is an exclusive flock on Unix: another process (or another cache in this one)
                // writing the same file holds it. Readers never take it.
                held = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException)
            {
                continue; // taken: try the per-process file
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new GradSentry.IO.OutputWriteException(path, ex, "Make the --cache folder writable or use another one.");
            }
            try
            {
                // Unbuffered: each record goes to the system in one write, so a failed write leaves nothing behind to flush later.
                var writer = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 1);
                // Only the lock holder may cut a torn tail: records appended by a writer that has since ended are indexed, and a
                // record it was writing when it was killed is dropped.
                var good = Index(path, writer);
                if (good < writer.Length) Undo(writer, good);
                writer.Seek(0, SeekOrigin.End);
                _writer = writer;
                _lock = held;
                return writer;
            }
            catch (Exception ex) when (GradSentry.IO.OutputWriteException.IsWriteFailure(ex))
            {
                held.Dispose();
                throw new GradSentry.IO.OutputWriteException(path, ex, "Make the --cache folder writable or use another one.");
            }
        }
        throw new IOException($"cannot open a score cache file for writing in '{_directory}'.");
    }

    void Index(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var good = Index(file, stream);
        // A torn tail is counted, not cut: its writer may still be appending it.
        if (good < stream.Length) DroppedRecords++;
    }

    /// <summary>
    /// Indexes the complete records of <paramref name="stream"/> after those indexed before (a later record of a key wins);
    /// returns where the last complete one ends.
    /// </summary>
    long Index(string file, FileStream stream)
    {
        var good = _indexedEnd.GetValueOrDefault(file);
        var length = stream.Length;
        if (good > length) good = 0; // shorter than when it was indexed: read it again
        stream.Position = good;
        while (stream.Position < length)
        {
            var offset = stream.Position;
            if (!ReadRecord(stream, out var key, out _)) break;
            _index[key!] = (file, offset);
            LoadedRecords++;
            good = stream.Position;
        }
        _indexedEnd[file] = good;
        return good;
    }

    static bool ReadRecord(Stream stream, out string? key, out GradientSpectrum? spectrum)
    {
        key = null;
        spectrum = null;
        Span<byte> head = stackalloc byte[8];
        if (stream.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8) return false;
        var length = BitConverter.ToInt32(head[4..]);
        if (BitConverter.ToUInt32(head) != Magic || length < KeyBytes + 24 || length > 1 << 20) return false;
        var body = new byte[length + ChecksumBytes];
        if (stream.ReadAtLeast(body, body.Length, throwOnEndOfStream: false) < body.Length) return false;
        if (!SHA256.HashData(body.AsSpan(0, length)).AsSpan(0, ChecksumBytes).SequenceEqual(body.AsSpan(length))) return false;
        using var r = new BinaryReader(new MemoryStream(body, 0, length));
        key = Convert.ToHexString(r.ReadBytes(KeyBytes));
        var t = r.ReadInt32();
        var loss = r.ReadDouble();
        var norm = r.ReadDouble();
        var k = r.ReadInt32();
        var spectrumBytes = KeyBytes + 24 + 8L * k;
        if (k < 0 || spectrumBytes > length) return false;
        var values = new double[k];
        for (var i = 0; i < k; i++) values[i] = r.ReadDouble();
        float[]? sketch = null;
        if (length != spectrumBytes)
        {
            if (length < spectrumBytes + 4) return false;
            var cells = r.ReadInt32();
            if (cells < 0 || length != spectrumBytes + 4 + 4L * cells) return false;
            sketch = new float[cells];
            for (var i = 0; i < cells; i++) sketch[i] = r.ReadSingle();
        }
        spectrum = new GradientSpectrum(values, t, loss, norm) { Sketch = sketch };
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _writer?.Dispose();
        _lock?.Dispose();
        foreach (var reader in _readers.Values) reader.Dispose();
    }
}
