using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using TorchSharp;

namespace GradSentry.Checkpoints;

/// <summary>
/// The weights of a Hugging Face model directory: <c>model.safetensors</c>, or the shards listed by
/// <c>model.safetensors.index.json</c>, or one <c>*.safetensors</c> file given directly.
/// Pickled checkpoints (<c>pytorch_model.bin</c>, <c>*.pt</c>, ...) are refused: loading them can run code.
/// </summary>
public sealed class CheckpointDirectory : IDisposable
{
    /// <summary>The single-file weights name.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The sharded weights index name.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    const long MaxIndexBytes = 100_000_000;

    static readonly string[] PickleExtensions = [".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"];

    readonly List<SafeTensorsFile> _files;
    readonly Dictionary<string, (SafeTensorInfo Info, SafeTensorsFile File)> _byName;

    CheckpointDirectory(string path, string? indexPath, List<SafeTensorsFile> files, List<(SafeTensorInfo Info, SafeTensorsFile File)> tensors)
    {
        Path = path;
        IndexPath = indexPath;
        _files = files;
        _byName = new Dictionary<string, (SafeTensorInfo, SafeTensorsFile)>(tensors.Count, StringComparer.Ordinal);
        foreach (var t in tensors) _byName.Add(t.Info.Name, t);
        Tensors = tensors.Select(t => t.Info).ToList().AsReadOnly();
        Files = files.Select(f => f.Path).ToList().AsReadOnly();
    }

    /// <summary>What was opened: the directory, or the single file given.</summary>
    public string Path { get; }

    /// <summary>The index file, when the weights are sharded.</summary>
    public string? IndexPath { get; }

    /// <summary>The safetensors files (one, or the shards in index order).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Every tensor: file order for a single file, index (<c>weight_map</c>) order for shards.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>Whether a tensor named <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The entry for <paramref name="name"/>.</summary>
    /// <exception cref="CheckpointException">No tensor has that name.</exception>
    public SafeTensorInfo this[string name] => Find(name).Info;

    /// <summary>Looks up <paramref name="name"/>.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SafeTensorInfo? info)
    {
        var found = _byName.TryGetValue(name, out var entry);
        info = found ? entry.Info : null;
        return found;
    }

    /// <inheritdoc cref="SafeTensorsFile.Load"/>
    public torch.Tensor Load(string name, torch.ScalarType dtype, torch.Device device) => Find(name).File.Load(name, dtype, device);

    /// <inheritdoc cref="SafeTensorsFile.CopyInto"/>
    public void CopyInto(string name, torch.Tensor destination) => Find(name).File.CopyInto(name, destination);

    (SafeTensorInfo Info, SafeTensorsFile File) Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_byName.TryGetValue(name, out var entry)) return entry;
        throw new CheckpointException(IndexPath ?? Path, name, "no such tensor in the checkpoint; check the architecture's parameter names against the checkpoint's.");
    }

    /// <summary>
    /// Opens a model directory (<c>model.safetensors</c> or <c>model.safetensors.index.json</c>), an index file, or one <c>*.safetensors</c> file.
    /// </summary>
    /// <exception cref="CheckpointException">Nothing loadable is there, only pickled checkpoints are there, or a file or the index is invalid.</exception>
    public static CheckpointDirectory Open(string directory)
    {
        var opened = Open(directory, deferLayoutProblems: true);
        try
        {
            opened.ThrowIfLayoutProblems();
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    /// <summary>The first file's unused data bytes (see <see cref="SafeTensorsFile.Open(string, bool)"/>), if any.</summary>
    internal CheckpointException? LayoutProblem => _files.Select(f => f.LayoutProblem).FirstOrDefault(p => p is not null);

    /// <summary>Throws <see cref="LayoutProblem"/>, if there is one.</summary>
    /// <exception cref="CheckpointException">A data block has bytes no tensor covers.</exception>
    internal void ThrowIfLayoutProblems()
    {
        if (LayoutProblem is { } problem) throw problem;
    }

    /// <summary>Opens like <see cref="Open(string)"/>, keeping unused data bytes in <see cref="LayoutProblem"/> when <paramref name="deferLayoutProblems"/>.</summary>
    internal static CheckpointDirectory Open(string directory, bool deferLayoutProblems)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = System.IO.Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            if (full.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase))
                return OpenIndex(System.IO.Path.GetDirectoryName(full)!, full, deferLayoutProblems);
            if (IsPickle(full)) throw Pickled(full, [System.IO.Path.GetFileName(full)]);
            return OpenSingle(full, full, deferLayoutProblems);
        }
        if (!Directory.Exists(full))
            throw new CheckpointException(full, null, "no such file or directory; pass a Hugging Face model directory or a .safetensors file.");

        var single = System.IO.Path.Combine(full, SingleFileName);
        if (File.Exists(single)) return OpenSingle(full, single, deferLayoutProblems);
        var index = System.IO.Path.Combine(full, IndexFileName);
        if (File.Exists(index)) return OpenIndex(full, index, deferLayoutProblems);

        var files = Directory.EnumerateFiles(full).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var pickles = files.Where(f => IsPickle(f) || f.EndsWith(".bin.index.json", StringComparison.OrdinalIgnoreCase)).ToList();
        if (pickles.Count > 0) throw Pickled(full, pickles);
        var others = files.Where(f => f.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)).ToList();
        if (others.Count > 0)
            throw new CheckpointException(full, null,
                $"there is no {SingleFileName} or {IndexFileName}, but there are {string.Join(", ", others)}; pass the weights file's path directly.");
        throw new CheckpointException(full, null, $"there is no {SingleFileName} or {IndexFileName} here; is this a Hugging Face model directory?");
    }

    static bool IsPickle(string file) => PickleExtensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    static CheckpointException Pickled(string where, IReadOnlyList<string> files) => new(where, null,
        $"only pickled PyTorch checkpoints were found ({string.Join(", ", files.Take(5))}). Pickled checkpoints can run arbitrary code when loaded, so they are refused. " +
        "Convert them to safetensors, e.g. in Python: AutoModelForCausalLM.from_pretrained(dir).save_pretrained(out_dir, safe_serialization=True), " +
        "or with the Hugging Face safetensors conversion script (convert.py in the safetensors repository).");

    static CheckpointDirectory OpenSingle(string path, string file, bool deferLayoutProblems)
    {
        var f = SafeTensorsFile.Open(file, deferLayoutProblems);
        return new CheckpointDirectory(path, null, [f], f.Tensors.Select(t => (t, f)).ToList());
    }

    static CheckpointDirectory OpenIndex(string directory, string index, bool deferLayoutProblems)
    {
        var map = ReadWeightMap(index);
        var root = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(directory)) + System.IO.Path.DirectorySeparatorChar;
        var shardOrder = new List<string>();
        var shardPaths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (tensor, shard) in map)
        {
            if (shardPaths.ContainsKey(shard)) continue;
            if (shard.Length == 0 || System.IO.Path.IsPathRooted(shard) || shard.Split('/', '\\').Any(s => s is ".." or ""))
                throw new CheckpointException(index, tensor,
                    $"the weight_map names shard '{shard}', which is not a plain relative path inside the model directory (absolute paths and '..' are refused).");
            var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, shard));
            if (!full.StartsWith(root, StringComparison.Ordinal))
                throw new CheckpointException(index, tensor, $"the weight_map names shard '{shard}', which lies outside the model directory.");
            if (!File.Exists(full))
                throw new CheckpointException(index, tensor, $"the weight_map assigns this tensor to shard '{shard}', which does not exist; download the missing shard or re-save the model.");
            shardPaths.Add(shard, full);
            shardOrder.Add(shard);
        }

        var opened = new List<SafeTensorsFile>();
        try
        {
            var byShard = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var shard in shardOrder)
            {
                var f = SafeTensorsFile.Open(shardPaths[shard], deferLayoutProblems);
                opened.Add(f);
                byShard.Add(shard, f);
            }
            // Where each tensor actually is: exactly one shard, and the one the map says.
            var listed = map.Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
            var holder = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var f in opened)
                foreach (var t in f.Tensors)
                {
                    if (holder.TryGetValue(t.Name, out var other))
                        throw new CheckpointException(index, t.Name,
                            $"the tensor is stored in two shards ('{System.IO.Path.GetFileName(other.Path)}' and '{System.IO.Path.GetFileName(f.Path)}'); which copy is meant is ambiguous. Re-save the model.");
                    holder.Add(t.Name, f);
                    if (!listed.Contains(t.Name))
                        throw new CheckpointException(index, t.Name,
                            $"shard '{System.IO.Path.GetFileName(f.Path)}' holds this tensor but the weight_map does not list it; the index and shards do not belong together. Re-save the model.");
                }
            var tensors = new List<(SafeTensorInfo, SafeTensorsFile)>(map.Count);
            foreach (var (name, shard) in map)
            {
                var assigned = byShard[shard];
                if (!assigned.TryGet(name, out var info))
                {
                    var actually = holder.TryGetValue(name, out var h) ? $"; it is in '{System.IO.Path.GetFileName(h.Path)}'" : "; no shard holds it";
                    throw new CheckpointException(index, name,
                        $"the weight_map assigns this tensor to '{shard}', but that shard does not contain it{actually}. Re-save the model or fix the index.");
                }
                tensors.Add((info, assigned));
            }
            return new CheckpointDirectory(directory, index, opened, tensors);
        }
        catch
        {
            foreach (var f in opened) f.Dispose();
            throw;
        }
    }

    /// <summary>Reads <c>weight_map</c> (tensor → shard file) from an index, in file order, rejecting duplicate keys.</summary>
    static List<KeyValuePair<string, string>> ReadWeightMap(string index)
    {
        byte[] bytes;
        try
        {
            bytes = GradSentry.IO.RegularFile.ReadAllBytes(index, MaxIndexBytes);
        }
        catch (Exception ex) when (ex is IOException and not CheckpointException or UnauthorizedAccessException)
        {
            throw new CheckpointException(index, null, "the index cannot be read: " + ex.Message, ex);
        }
        ReadOnlySpan<byte> span = bytes;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) span = span[3..];
        if (!Utf8.IsValid(span)) throw new CheckpointException(index, null, "the index is not valid UTF-8.");

        var result = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = false;
        var reader = new Utf8JsonReader(span, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new CheckpointException(index, null, "the index is not a JSON object.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString();
                reader.Read();
                if (key != "weight_map")
                {
                    reader.Skip();
                    continue;
                }
                if (found) throw new CheckpointException(index, null, "the index has 'weight_map' twice.");
                found = true;
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw new CheckpointException(index, null, "'weight_map' must be an object mapping tensor names to shard file names.");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                        throw new CheckpointException(index, name, "'weight_map' must map tensor names to shard file names (strings).");
                    if (name.Length == 0) throw new CheckpointException(index, name, "'weight_map' has an empty tensor name.");
                    if (!seen.Add(name)) throw new CheckpointException(index, name, "'weight_map' lists this tensor twice.");
                    result.Add(new(name, reader.GetString()!));
                }
            }
            reader.Read(); // anything but whitespace after the object throws
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(index, null, "the index is not valid JSON: " + ex.Message, ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new CheckpointException(index, null, "the index holds a string that is not valid Unicode: " + ex.Message, ex);
        }
        if (!found) throw new CheckpointException(index, null, "the index has no 'weight_map'; it is not a safetensors index.");
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
