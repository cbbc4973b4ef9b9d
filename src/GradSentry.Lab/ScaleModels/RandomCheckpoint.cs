using System.Globalization;
using System.Text.Json.Nodes;
using GradSentry.Checkpoints;
using GradSentry.Lab.TinyModels;
using GradSentry.Models;
using TorchSharp;

namespace GradSentry.Lab.ScaleModels;

/// <summary>
/// Writes a random checkpoint of a real <see cref="ModelShape"/> in Hugging Face layout: <c>config.json</c>, bfloat16
/// weights in shards (<c>model-0000X-of-0000N.safetensors</c> + <c>model.safetensors.index.json</c>), and a tokenizer
/// whose vocabulary has the model's size. Shards are streamed: one block of one tensor is in memory at a time, so a
/// 7B checkpoint is written with a few hundred MB.
/// </summary>
/// <remarks>
/// Weights are N(0, 0.02²) (norm weights 1), drawn in float32 block by block from a CPU generator seeded with the seed and
/// the tensor's position, then rounded to bfloat16. The tokenizer is the bundled model's BPE (trained on NQ-open rows, so
/// rows tokenize to realistic lengths), with unreachable filler entries <c>&lt;|filler_N|&gt;</c> up to the vocabulary size.
/// </remarks>
public static class RandomCheckpoint
{
    /// <summary>Default shard size: 2 GB, so the 1B shape has two shards and the 7B shapes seven.</summary>
    public const long DefaultShardBytes = 2_000_000_000;

    /// <summary>Elements drawn at a time (64 MB of float32).</summary>
    const long BlockElements = 16L << 20;

    /// <summary>Standard deviation of the random weights.</summary>
    public const double WeightStd = 0.02;

    /// <summary>
    /// Writes <paramref name="shape"/> into <paramref name="directory"/> (created if needed; existing weights files of an
    /// earlier run are replaced). <paramref name="tokenizerDirectory"/> supplies <c>tokenizer.json</c> (a byte-level BPE) and
    /// its config files; its vocabulary must not exceed the shape's.
    /// </summary>
    /// <returns>The shard paths, in order.</returns>
    /// <exception cref="ArgumentException">The tokenizer has more tokens than the model, or the shard size is too small.</exception>
    public static IReadOnlyList<string> Write(string directory, ModelShape shape, string tokenizerDirectory, ulong seed = 1, long shardBytes = DefaultShardBytes, TextWriter? log = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardBytes, 1024);
        Directory.CreateDirectory(directory);
        WriteTokenizer(directory, tokenizerDirectory, shape.Vocabulary);
        TinyModelDirectory.WriteJson(Path.Combine(directory, CausalLmLoader.ConfigFileName), shape.ConfigJson());

        var tensors = shape.Tensors().Select((t, i) => (Index: i, Spec: new SafeTensorSpec(t.Name, SafeTensorsDType.BF16, t.Shape))).ToList();
        // Greedy in model order, as Hugging Face's save_pretrained cuts shards.
        var shards = new List<List<(int Index, SafeTensorSpec Spec)>> { new() };
        long current = 0;
        foreach (var t in tensors)
        {
            if (current > 0 && current + t.Spec.ByteLength > shardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(t);
            current += t.Spec.ByteLength;
        }
        foreach (var stale in Directory.EnumerateFiles(directory, "model*.safetensors*")) File.Delete(stale);

        var paths = new List<string>();
        var weightMap = new JsonObject();
        for (var s = 0; s < shards.Count; s++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"model-{s + 1:00000}-of-{shards.Count:00000}.safetensors");
            var path = Path.Combine(directory, name);
            var indexOf = shards[s].ToDictionary(t => t.Spec.Name, t => t.Index, StringComparer.Ordinal);
            SafeTensorsWriter.WriteStreaming(path, shards[s].Select(t => t.Spec).ToList(),
                (spec, stream) => WriteRandom(spec, stream, seed, indexOf[spec.Name]),
                new Dictionary<string, string> { ["format"] = "pt", ["generator"] = "GradSentry.Lab create-checkpoint", ["shape"] = shape.Name, ["seed"] = seed.ToString(CultureInfo.InvariantCulture) });
            foreach (var t in shards[s]) weightMap[t.Spec.Name] = name;
            paths.Add(path);
            log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {shards[s].Count} tensors, {new FileInfo(path).Length / 1e6:0.#} MB"));
        }
        // weight_map in model order, like the real index files.
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = tensors.Sum(t => t.Spec.ByteLength) },
            ["weight_map"] = weightMap,
        };
        TinyModelDirectory.WriteJson(Path.Combine(directory, CheckpointDirectory.IndexFileName), index);
        File.WriteAllText(Path.Combine(directory, "README.md"), Readme(shape, seed, shards.Count).ReplaceLineEndings("\n"));
        return paths;
    }

    /// <summary>The values of tensor number <paramref name="index"/> (model order) as <see cref="Write"/> writes them, in bfloat16; for tests.</summary>
    public static torch.Tensor Values(ModelShape shape, ulong seed, int index)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var (name, dims) = shape.Tensors()[index];
        var spec = new SafeTensorSpec(name, SafeTensorsDType.BF16, dims);
        using var stream = new MemoryStream();
        WriteRandom(spec, stream, seed, index);
        var result = torch.empty(dims, torch.ScalarType.BFloat16);
        stream.GetBuffer().AsSpan(0, (int)stream.Length).CopyTo(result.bytes);
        return result;
    }

    static void WriteRandom(SafeTensorSpec spec, Stream stream, ulong seed, int index)
    {
        using var generator = new torch.Generator(seed * 1_000_003UL + (ulong)index);
        var total = spec.ElementCount;
        var norm = spec.Shape.Length == 1;
        for (long start = 0; start < total; start += BlockElements)
        {
            using var scope = torch.NewDisposeScope();
            var count = Math.Min(BlockElements, total - start);
            var block = norm
                ? torch.ones(count, torch.ScalarType.BFloat16)
                : torch.randn(count, torch.ScalarType.Float32, generator: generator).mul_(WeightStd).to(torch.ScalarType.BFloat16);
            stream.Write(block.bytes);
        }
    }

    /// <summary>
    /// Copies the tokenizer files of <paramref name="source"/>, padding <c>model.vocab</c> with filler entries up to
    /// <paramref name="vocabulary"/> ids (no merge reaches them, so text never encodes to them).
    /// </summary>
    static void WriteTokenizer(string directory, string source, int vocabulary)
    {
        var tokenizerPath = Path.Combine(source, "tokenizer.json");
        if (!File.Exists(tokenizerPath))
            throw new ArgumentException($"'{Path.GetFullPath(source)}' has no tokenizer.json; pass --tokenizer with a model directory holding a byte-level BPE tokenizer.json.");
        var json = JsonNode.Parse(File.ReadAllText(tokenizerPath))!.AsObject();
        var vocab = json["model"]!["vocab"]!.AsObject();
        var ids = vocab.Select(kv => kv.Value!.GetValue<int>())
            .Concat((json["added_tokens"]?.AsArray() ?? []).Select(t => t!["id"]!.GetValue<int>()))
            .ToHashSet();
        if (ids.Count > vocabulary || ids.Max() >= vocabulary)
            throw new ArgumentException($"the tokenizer in '{source}' has {ids.Count} ids (largest {ids.Max()}), more than the model's vocabulary of {vocabulary}.");
        for (var id = 0; id < vocabulary; id++)
            if (!ids.Contains(id)) vocab[string.Create(CultureInfo.InvariantCulture, $"<|filler_{id}|>")] = id;
        TinyModelDirectory.WriteJson(Path.Combine(directory, "tokenizer.json"), json);
        foreach (var file in new[] { "tokenizer_config.json", "special_tokens_map.json" })
            if (File.Exists(Path.Combine(source, file))) File.Copy(Path.Combine(source, file), Path.Combine(directory, file), overwrite: true);
    }

    static string Readme(ModelShape shape, ulong seed, int shards) => string.Create(CultureInfo.InvariantCulture, $"""
        # {shape.Name} shape, random weights (GradSentry lab)

        Not a language model: random weights in the shape of `{shape.Name}` ({shape.Parameters / 1e9:0.###}B parameters), for measuring
        what loading and scanning a model of this size costs. Written by
        `dotnet run --project src/GradSentry.Lab -- create-checkpoint --shape {shape.Name} --seed {seed} --output <dir>`.

        - hidden {shape.Hidden}, {shape.Layers} layers, {shape.Heads} heads / {shape.KeyValueHeads} KV heads, MLP {shape.Intermediate},
          vocabulary {shape.Vocabulary}, {(shape.TiedEmbeddings ? "tied embeddings" : "untied lm_head")}.
        - Weights: bfloat16 in {shards} shard(s) with `model.safetensors.index.json`; N(0, 0.02²), norm weights 1.
        - Tokenizer: the bundled tiny model's byte-level BPE (4096 tokens trained on NQ-open rows) padded with unreachable
          `<|filler_N|>` entries to {shape.Vocabulary} ids.

        Do not commit this directory.

        """);
}
