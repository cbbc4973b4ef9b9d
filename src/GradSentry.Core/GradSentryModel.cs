using GradSentry.Caching;
using GradSentry.Models;
using GradSentry.Scoring;
using GradSentry.Tokenization;
using static TorchSharp.torch;

namespace GradSentry;

/// <summary>
/// A Hugging Face model directory ready for scoring: the TorchSharp model, its tokenizer, and the
/// encoder that renders samples exactly as the reference does. The entry point adapters use.
/// </summary>
public sealed class GradSentryModel : IDisposable
{
    string? _contentHash;

    GradSentryModel(string directory, LoadedCausalLm model, HfTokenizer tokenizer)
    {
        Directory = directory;
        Model = model;
        Tokenizer = tokenizer;
    }

    /// <summary>Full path of the model directory.</summary>
    public string Directory { get; }

    /// <summary>The loaded network (with its adapter, if any).</summary>
    public LoadedCausalLm Model { get; }

    /// <summary>The tokenizer and its special-token settings.</summary>
    public HfTokenizer Tokenizer { get; }

    /// <summary>
    /// Loads <paramref name="directory"/> on <paramref name="device"/> (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>)
    /// in <paramref name="dtype"/> (null: <c>auto</c>, see <see cref="MemoryPlan.Choose"/>; the choice and its reason are in
    /// <see cref="LoadedCausalLm.MemoryPlan"/>).
    /// The tokenizer is read first, so a directory without one fails before any weight is read.
    /// </summary>
    /// <exception cref="IOException">A missing, malformed or hostile file (message names file and tensor).</exception>
    /// <exception cref="ArgumentException">An impossible option (unknown device, unsupported dtype).</exception>
    /// <exception cref="ModelTooLargeException">The model would not fit in memory (checked before any weight is allocated).</exception>
    public static GradSentryModel Load(string directory, string device = "auto", ScalarType? dtype = null, string? adapterDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        TorchRuntime.EnsureLoaded();
        var full = Path.GetFullPath(directory);
        if (File.Exists(full))
            throw new DirectoryNotFoundException($"model path '{full}' is a file, not a directory; pass the folder that holds it (config.json, model.safetensors, tokenizer files): '{Path.GetDirectoryName(full)}'.");
        if (!System.IO.Directory.Exists(full))
            throw new DirectoryNotFoundException($"model directory '{full}' does not exist; pass a Hugging Face model directory (config.json, model.safetensors, tokenizer files).");
        Caching.ContentHash.CheckModelFiles(full);
        var tokenizer = HfTokenizer.Load(full);
        var resolvedDevice = TorchRuntime.ResolveDevice(device);
        var model = CausalLmLoader.Load(full, new CausalLmLoadOptions
        {
            Device = resolvedDevice,
            ComputeDType = dtype, // null: auto, chosen with the memory available (MemoryPlan.Choose)
            AdapterDirectory = adapterDirectory,
        });
        return new GradSentryModel(full, model, tokenizer);
    }

    /// <summary>
    /// The encoder: <c>[bos if add_bos_token] + prompt + response + [eos]</c>, at most
    /// <paramref name="maxLength"/> tokens (default: the model's <c>max_position_embeddings</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The tokenizer has no EOS token, or the length exceeds what the model supports.</exception>
    public SampleEncoder CreateEncoder(int? maxLength = null)
    {
        var limit = Model.Config.MaxPositions;
        if (maxLength > limit)
            throw new ArgumentException($"max length {maxLength} exceeds the model's max_position_embeddings ({limit}).", nameof(maxLength));
        var eos = Tokenizer.EosTokenId ?? throw new ArgumentException(
            $"the tokenizer of '{Directory}' defines no EOS token; GradSentry appends EOS to every response. Set eos_token in tokenizer_config.json.");
        return new SampleEncoder(Tokenizer.EncodeText, Tokenizer.BosTokenId, eos, Tokenizer.AddBosToken, maxLength ?? limit);
    }

    /// <summary>
    /// SHA-256 over every file that affects scores (weights, config, tokenizer, adapter). Memoised per
    /// file in <paramref name="memoFile"/> when given.
    /// </summary>
    public string ContentHash(string? memoFile = null)
    {
        if (_contentHash != null) return _contentHash;
        var hash = Caching.ContentHash.OfModelDirectory(Directory, memoFile);
        if (Model.AdapterDirectory is { } adapter && Path.GetFullPath(adapter) != Directory)
            hash = Caching.ContentHash.OfText(hash + "|" + Caching.ContentHash.OfModelDirectory(adapter, memoFile));
        return _contentHash = hash;
    }

    /// <summary>Opens the score cache for this model and <paramref name="options"/> under <paramref name="cacheDirectory"/>.</summary>
    public ScoreCache OpenCache(string cacheDirectory, ProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var memo = Path.Combine(cacheDirectory, "file-hashes.json");
        var fingerprint = Caching.ContentHash.OfText(
            $"gradsentry-score-v1|{ContentHash(memo)}|{options.TargetParameter}|{options.Rank}|{options.SliceFactor}|{Model.ComputeDType}");
        return ScoreCache.Open(cacheDirectory, fingerprint[..32]);
    }

    /// <summary>A scorer over this model.</summary>
    public GradSentryScorer CreateScorer(ScoringOptions options, int? maxLength = null, ScoreCache? cache = null) =>
        new(Model, CreateEncoder(maxLength), options, cache);

    /// <summary>The scorer of <see cref="ScoringOptions.Score"/>: ONION's perplexity scorer, or the gradient scorer.</summary>
    public IRowScorer CreateRowScorer(ScoringOptions options, int? maxLength = null, ScoreCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Score == ScoreKind.Onion ? CreateOnionScorer(options, maxLength) : CreateScorer(options, maxLength, cache);
    }

    /// <summary>An ONION scorer over this model (the model is its own language model).</summary>
    public OnionScorer CreateOnionScorer(ScoringOptions options, int? maxLength = null) =>
        new(Model, CreateEncoder(maxLength), Tokenizer.EncodeText, options);

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
