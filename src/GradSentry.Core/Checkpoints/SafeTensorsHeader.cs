using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace GradSentry.Checkpoints;

/// <summary>
/// Parses and validates the JSON header of a safetensors file. Strict: every malformed or
/// inconsistent header is a <see cref="CheckpointException"/>, never a crash or a large allocation.
/// Uses <see cref="Utf8JsonReader"/> rather than <see cref="JsonDocument"/> because the latter
/// silently keeps only one of two duplicate keys.
/// </summary>
internal static class SafeTensorsHeader
{
    /// <summary>Largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Most dimensions a tensor may have.</summary>
    public const int MaxRank = 64;

    const string MetadataKey = "__metadata__";

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="Tensors">The entries.</param>
    /// <param name="Metadata">The <c>__metadata__</c> map.</param>
    /// <param name="LayoutProblem">
    /// Bytes of the data block no tensor covers (a gap, or unused bytes at the end), or null. Reading is safe, but the file
    /// is not conforming; often a tensor's entry was removed from the header. Callers that know which tensors to expect
    /// report missing names first (<see cref="SafeTensorsFile.Open(string)"/> throws it at once).
    /// </param>
    internal readonly record struct Parsed(List<SafeTensorInfo> Tensors, Dictionary<string, string> Metadata, CheckpointException? LayoutProblem);

    /// <summary>Parses <paramref name="header"/>; <paramref name="dataStart"/> is the file offset of the data block, <paramref name="dataLength"/> its size.</summary>
    public static Parsed Parse(ReadOnlySpan<byte> header, long dataStart, long dataLength, string file)
    {
        if (!Utf8.IsValid(header))
            throw new CheckpointException(file, null, "the header is not valid UTF-8; the file is corrupt or not a safetensors file.");

        var tensors = new List<SafeTensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { MaxDepth = 64, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new CheckpointException(file, null, "the header is not a JSON object; the file is corrupt or not a safetensors file.");
            var seenMetadata = false;
            while (true)
            {
                if (!reader.Read()) throw new CheckpointException(file, null, "the header JSON ends early.");
                if (reader.TokenType == JsonTokenType.EndObject) break;
                var name = ReadString(ref reader, file, null, "a tensor name");
                if (name == MetadataKey)
                {
                    if (seenMetadata) throw new CheckpointException(file, null, "the header has '__metadata__' twice.");
                    seenMetadata = true;
                    reader.Read();
                    ReadMetadata(ref reader, metadata, file);
                    continue;
                }
                if (name.Length == 0) throw new CheckpointException(file, "", "the header has a tensor with an empty name.");
                if (!seen.Add(name)) throw new CheckpointException(file, name, "the header lists this tensor name twice; which entry is meant is ambiguous.");
                reader.Read();
                tensors.Add(ReadEntry(ref reader, name, dataStart, file));
            }
            // Only whitespace may follow the top-level object (the reader throws on anything else).
            if (reader.Read())
                throw new CheckpointException(file, null, "the header has data after the JSON object.");
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(file, null,
                string.Create(CultureInfo.InvariantCulture, $"the header is not valid JSON (at byte {ex.BytePositionInLine ?? reader.BytesConsumed}): {ex.Message}"), ex);
        }

        var layoutProblem = ValidateLayout(tensors, dataStart, dataLength, file);
        return new Parsed(tensors, metadata, layoutProblem);
    }

    static string ReadString(ref Utf8JsonReader reader, string file, string? tensor, string what)
    {
        try
        {
            var s = reader.GetString() ?? throw new CheckpointException(file, tensor, $"expected {what} but found null.");
            // Escapes such as \ud800 decode to lone surrogates: not valid Unicode, so not a valid UTF-8 name.
            StrictUtf8.GetByteCount(s);
            return s;
        }
        catch (InvalidOperationException ex)
        {
            throw new CheckpointException(file, tensor, $"{what} is not valid UTF-8 text ({ex.Message}).", ex);
        }
        catch (EncoderFallbackException ex)
        {
            throw new CheckpointException(file, tensor, $"{what} is not valid UTF-8 (it contains an unpaired surrogate escape).", ex);
        }
    }

    static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string file)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new CheckpointException(file, null, $"'__metadata__' must be an object mapping strings to strings, but it is {Describe(reader.TokenType)}.");
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject) return;
            var key = ReadString(ref reader, file, null, "a '__metadata__' key");
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw new CheckpointException(file, null, $"'__metadata__' must map strings to strings, but key '{key}' has {Describe(reader.TokenType)}.");
            var value = ReadString(ref reader, file, null, $"the '__metadata__' value of '{key}'");
            if (!metadata.TryAdd(key, value))
                throw new CheckpointException(file, null, $"'__metadata__' has key '{key}' twice.");
        }
    }

    static SafeTensorInfo ReadEntry(ref Utf8JsonReader reader, string name, long dataStart, string file)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new CheckpointException(file, name, $"the header entry must be an object with 'dtype', 'shape' and 'data_offsets', but it is {Describe(reader.TokenType)}.");
        SafeTensorsDType? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject) break;
            var key = ReadString(ref reader, file, name, "a header entry key");
            reader.Read();
            switch (key)
            {
                case "dtype":
                    if (dtype is not null) throw new CheckpointException(file, name, "the header entry has 'dtype' twice.");
                    if (reader.TokenType != JsonTokenType.String)
                        throw new CheckpointException(file, name, $"'dtype' must be a string, but it is {Describe(reader.TokenType)}.");
                    var dtypeName = ReadString(ref reader, file, name, "'dtype'");
                    if (!SafeTensorsDTypes.TryParse(dtypeName, out var parsed))
                        throw new CheckpointException(file, name,
                            $"dtype '{Truncate(dtypeName)}' is not supported (supported: {SafeTensorsDTypes.SupportedNames}); convert the checkpoint to one of these (e.g. torch_dtype=float16 or float32).");
                    dtype = parsed;
                    break;
                case "shape":
                    if (shape is not null) throw new CheckpointException(file, name, "the header entry has 'shape' twice.");
                    shape = ReadIntArray(ref reader, file, name, "'shape'", MaxRank, exactCount: null);
                    break;
                case "data_offsets":
                    if (offsets is not null) throw new CheckpointException(file, name, "the header entry has 'data_offsets' twice.");
                    offsets = ReadIntArray(ref reader, file, name, "'data_offsets'", 2, exactCount: 2);
                    break;
                default:
                    reader.Skip(); // unknown keys are ignored, as by the reference implementation
                    break;
            }
        }
        var missing = new List<string>(3);
        if (dtype is null) missing.Add("'dtype'");
        if (shape is null) missing.Add("'shape'");
        if (offsets is null) missing.Add("'data_offsets'");
        if (missing.Count > 0)
            throw new CheckpointException(file, name, $"the header entry lacks {string.Join(" and ", missing)}.");

        var d = dtype!.Value;
        var begin = offsets![0];
        var end = offsets[1];
        if (begin > end)
            throw new CheckpointException(file, name, string.Create(CultureInfo.InvariantCulture, $"data_offsets [{begin}, {end}] begin after they end."));

        long count;
        try
        {
            count = 1;
            if (Array.IndexOf(shape!, 0L) < 0)
                foreach (var dim in shape!) count = checked(count * dim);
            else
                count = 0;
            var bytes = checked(count * d.ElementSize());
            if (bytes != end - begin)
                throw new CheckpointException(file, name, string.Create(CultureInfo.InvariantCulture,
                    $"shape {SafeTensorInfo.FormatShape(shape)} of {d.HeaderName()} needs {bytes} bytes but data_offsets [{begin}, {end}] give {end - begin}."));
        }
        catch (OverflowException)
        {
            throw new CheckpointException(file, name, string.Create(CultureInfo.InvariantCulture,
                $"shape {SafeTensorInfo.FormatShape(shape)} is absurd: its byte size overflows a 64-bit integer."));
        }
        return new SafeTensorInfo(name, d, shape!, dataStart + begin, end - begin, file);
    }

    static long[] ReadIntArray(ref Utf8JsonReader reader, string file, string tensor, string what, int maxCount, int? exactCount)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new CheckpointException(file, tensor, $"{what} must be an array of non-negative integers, but it is {Describe(reader.TokenType)}.");
        var values = new List<long>(Math.Min(maxCount, 8));
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndArray) break;
            if (reader.TokenType != JsonTokenType.Number)
                throw new CheckpointException(file, tensor, $"{what} must hold non-negative integers, but it holds {Describe(reader.TokenType)}.");
            if (!reader.TryGetInt64(out var v))
                throw new CheckpointException(file, tensor, $"{what} holds '{Truncate(Encoding.UTF8.GetString(reader.ValueSpan))}', which is not an integer in range.");
            if (v < 0)
                throw new CheckpointException(file, tensor, string.Create(CultureInfo.InvariantCulture, $"{what} holds the negative value {v}."));
            if (values.Count == maxCount)
                throw new CheckpointException(file, tensor, string.Create(CultureInfo.InvariantCulture, $"{what} has more than {maxCount} entries."));
            values.Add(v);
        }
        if (exactCount is { } n && values.Count != n)
            throw new CheckpointException(file, tensor, string.Create(CultureInfo.InvariantCulture, $"{what} must have exactly {n} entries, but it has {values.Count}."));
        return values.ToArray();
    }

    static CheckpointException? ValidateLayout(List<SafeTensorInfo> tensors, long dataStart, long dataLength, string file)
    {
        CheckpointException? problem = null;
        foreach (var t in tensors)
        {
            if (t.DataOffset - dataStart + t.ByteLength > dataLength)
                throw new CheckpointException(file, t.Name, string.Create(CultureInfo.InvariantCulture,
                    $"its bytes [{t.DataOffset - dataStart}, {t.DataOffset - dataStart + t.ByteLength}) lie outside the {dataLength}-byte data block; the file is truncated or corrupt."));
        }
        var ordered = tensors.ToArray();
        Array.Sort(ordered, static (a, b) =>
        {
            var c = a.DataOffset.CompareTo(b.DataOffset);
            return c != 0 ? c : a.ByteLength.CompareTo(b.ByteLength);
        });
        long expected = 0;
        SafeTensorInfo? previous = null;
        foreach (var t in ordered)
        {
            var begin = t.DataOffset - dataStart;
            if (begin < expected)
                throw new CheckpointException(file, t.Name, string.Create(CultureInfo.InvariantCulture,
                    $"its bytes [{begin}, {begin + t.ByteLength}) overlap those of tensor '{previous!.Name}' (which end at {expected})."));
            if (begin > expected)
                problem ??= new CheckpointException(file, t.Name, string.Create(CultureInfo.InvariantCulture,
                    $"its bytes start at {begin}, leaving a gap of unused bytes [{expected}, {begin}) in the data block; the file is corrupt or was written by a non-conforming tool (or a tensor's entry was removed from the header)."));
            expected = begin + t.ByteLength;
            previous = t;
        }
        if (expected != dataLength)
            problem ??= new CheckpointException(file, null, string.Create(CultureInfo.InvariantCulture,
                $"the data block has {dataLength - expected} unused bytes at its end (tensors cover {expected} of {dataLength}); the file is corrupt or was written by a non-conforming tool (or a tensor's entry was removed from the header)."));
        return problem;
    }

    static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    static string Truncate(string s) => s.Length <= 64 ? s : string.Concat(s.AsSpan(0, 64), "…");
}
