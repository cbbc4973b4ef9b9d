using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace GradSentry.Tokenization;

/// <summary>
/// The tokenizer of a Hugging Face model directory, run by Microsoft.ML.Tokenizers. Files, in order of
/// preference: <c>tokenizer.json</c> (BPE: byte-level, or SentencePiece-style with byte fallback),
/// <c>tokenizer.model</c> (SentencePiece BPE or Unigram), <c>vocab.json</c> + <c>merges.txt</c> (GPT-2 byte-level
/// BPE). Special tokens and BOS/EOS conventions come from <c>tokenizer_config.json</c>, then
/// <c>special_tokens_map.json</c>, then <c>config.json</c>.
/// </summary>
/// <remarks>
/// Added tokens that appear literally in a text are encoded as their ids, as Hugging Face does by default.
/// <see cref="EncodeText"/> never adds BOS/EOS: the caller composes <c>[BOS] + prompt + response + [EOS]</c>
/// from <see cref="AddBosToken"/>, <see cref="BosTokenId"/> and <see cref="EosTokenId"/>.
/// </remarks>
public sealed class HfTokenizer
{
    readonly BuiltTokenizer _built;
    readonly TokenizerSource _source;

    HfTokenizer(TokenizerSource source, BuiltTokenizer built, int? bos, int? eos, int? pad, bool addBos, bool addEos)
    {
        _source = source;
        _built = built;
        BosTokenId = bos;
        EosTokenId = eos;
        PadTokenId = pad;
        AddBosToken = addBos;
        AddEosToken = addEos;
    }

    /// <summary>The beginning-of-sequence token id, when the model has one.</summary>
    public int? BosTokenId { get; }

    /// <summary>The end-of-sequence token id, when the model has one.</summary>
    public int? EosTokenId { get; }

    /// <summary>The text of the BOS token (<c>&lt;s&gt;</c>, <c>&lt;|begin_of_text|&gt;</c>), when the model has one.</summary>
    public string? BosToken { get; private init; }

    /// <summary>The text of the EOS token (<c>&lt;/s&gt;</c>, <c>&lt;|eot_id|&gt;</c>), when the model has one.</summary>
    public string? EosToken { get; private init; }

    /// <summary>The padding token id, when the model has one.</summary>
    public int? PadTokenId { get; }

    /// <summary>
    /// Whether a sequence starts with BOS: <c>add_bos_token</c> of <c>tokenizer_config.json</c>, else the
    /// <c>tokenizer.json</c> post-processor template, else the Hugging Face default of the tokenizer class
    /// (true for Llama, CodeLlama and Gemma tokenizers, false otherwise, e.g. GPT-2 and Qwen2).
    /// </summary>
    public bool AddBosToken { get; }

    /// <summary>Whether a sequence ends with EOS when the tokenizer adds special tokens (same sources as <see cref="AddBosToken"/>; default false).</summary>
    public bool AddEosToken { get; }

    /// <summary>Number of distinct token ids, added tokens included.</summary>
    public int VocabSize => _source.Ids.Count;

    /// <summary>
    /// The format that was read: <c>tokenizer.json (byte-level BPE)</c>, <c>tokenizer.json (SentencePiece-style BPE)</c>,
    /// <c>tokenizer.model (SentencePiece BPE)</c>, <c>tokenizer.model (SentencePiece Unigram)</c> or
    /// <c>vocab.json+merges.txt (byte-level BPE)</c>.
    /// </summary>
    public string Kind => _source.Kind;

    /// <summary>Full path of the tokenizer file that was read.</summary>
    public string SourcePath => _source.Path;

    /// <summary>
    /// The library tokenizer: a <see cref="BpeTokenizer"/> or a <see cref="SentencePieceTokenizer"/>. It never adds
    /// BOS/EOS by itself, and it does not reject unmappable text (<see cref="EncodeText"/> does).
    /// </summary>
    public Tokenizer Inner => _built.Inner;

    /// <summary>Loads the tokenizer of the Hugging Face model directory <paramref name="modelDirectory"/>.</summary>
    /// <exception cref="TokenizerLoadException">No tokenizer file exists (the message lists what was looked for), or a
    /// file is malformed, inconsistent or uses an unsupported feature (the message names the file and the problem).</exception>
    public static HfTokenizer Load(string modelDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        var directory = Path.GetFullPath(modelDirectory);
        if (!Directory.Exists(directory))
            throw new TokenizerLoadException(directory, "model directory not found.");

        var settings = TokenizerSettings.Read(directory);
        var source = ReadSource(directory, settings);
        var file = Path.GetFileName(source.Path);

        int? Resolve(string role, int? templateId, int? modelDefault)
        {
            if (settings.Named.TryGetValue(role, out var named))
            {
                if (named.Content is null) return null;
                return source.TokenToId.TryGetValue(named.Content, out var id)
                    ? id
                    : throw new TokenizerLoadException(named.File, $"{role} '{named.Content}' is not in the vocabulary of {file} ({source.Kind}).");
            }
            var (configId, configPath) = settings.ModelConfigId(role + "_id");
            if (configId is { } fromConfig)
                return source.Ids.Contains(fromConfig)
                    ? fromConfig
                    : throw new TokenizerLoadException(configPath, $"{role}_id {fromConfig} is not a token id of {file} ({source.Ids.Count} ids).");
            return templateId ?? modelDefault;
        }

        var bos = Resolve("bos_token", source.Template?.BosId, source.ModelDefaults.Bos);
        var eos = Resolve("eos_token", source.Template?.EosId, source.ModelDefaults.Eos);
        var pad = Resolve("pad_token", null, source.ModelDefaults.Pad);
        var unk = settings.Named.TryGetValue("unk_token", out var unkName) && unkName.Content is not null
            ? source.TokenToId.TryGetValue(unkName.Content, out var unkId) ? unkId
              : throw new TokenizerLoadException(unkName.File, $"unk_token '{unkName.Content}' is not in the vocabulary of {file} ({source.Kind}).")
            : source.ModelDefaults.Unk;

        var (classBos, classEos) = ClassDefaults(settings.TokenizerClass);
        var addBos = settings.AddBosToken ?? source.Template?.AddBos ?? classBos;
        var addEos = settings.AddEosToken ?? source.Template?.AddEos ?? classEos;
        if (addBos && bos is null)
            throw new TokenizerLoadException(settings.TokenizerConfigPath, $"BOS is to be added (add_bos_token / template / tokenizer class) but no bos_token is defined in {TokenizerSettings.TokenizerConfigFile}, {TokenizerSettings.SpecialTokensMapFile} or {TokenizerSettings.ModelConfigFile}.");
        if (addEos && eos is null)
            throw new TokenizerLoadException(settings.TokenizerConfigPath, $"EOS is to be added (add_eos_token / template) but no eos_token is defined in {TokenizerSettings.TokenizerConfigFile}, {TokenizerSettings.SpecialTokensMapFile} or {TokenizerSettings.ModelConfigFile}.");

        var built = source.Build(new SpecialIds(bos, eos, unk));
        // The text of a special token, as chat templates write it ({{ bos_token }}): named in the files, else the id's entry.
        string? TokenText(string role, int? id) =>
            settings.Named.TryGetValue(role, out var named) ? named.Content
            : id is int i ? source.TokenToId.FirstOrDefault(p => p.Value == i).Key
            : null;
        return new HfTokenizer(source, built, bos, eos, pad, addBos, addEos)
        {
            BosToken = TokenText("bos_token", bos),
            EosToken = TokenText("eos_token", eos),
        };
    }

    /// <summary>Encodes <paramref name="text"/> to token ids without adding BOS, EOS or any other special token.</summary>
    /// <exception cref="UnmappableTextException">A character has no token, and there is neither an unknown token nor
    /// byte fallback (the message names the character, its index and its code point).</exception>
    public IReadOnlyList<int> EncodeText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return [];
        _built.Coverage.Check(text);
        return _built.Encode(text);
    }

    /// <summary>Decodes <paramref name="ids"/> to text; special and added tokens are written out.</summary>
    /// <exception cref="ArgumentException">An id is not a token id of this tokenizer.</exception>
    public string Decode(IEnumerable<int> ids) => Decode(ids, skipSpecialTokens: false);

    /// <summary>Decodes <paramref name="ids"/> to text, leaving out special tokens when <paramref name="skipSpecialTokens"/>.</summary>
    /// <exception cref="ArgumentException">An id is not a token id of this tokenizer.</exception>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var list = ids as IReadOnlyList<int> ?? ids.ToList();
        foreach (var id in list)
            if (!_source.Ids.Contains(id))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Token id {id} is not in the vocabulary of {Path.GetFileName(_source.Path)} ({VocabSize} ids)."), nameof(ids));
        return _built.Decode(list, skipSpecialTokens);
    }

    /// <summary>The id of <paramref name="token"/> (vocabulary or added token), or null.</summary>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _source.TokenToId.TryGetValue(token, out var id) ? id : null;
    }

    static TokenizerSource ReadSource(string directory, TokenizerSettings settings)
    {
        var tokenizerJson = Path.Combine(directory, TokenizerJsonReader.FileName);
        if (File.Exists(tokenizerJson)) return TokenizerJsonReader.Read(tokenizerJson);
        var tokenizerModel = Path.Combine(directory, SentencePieceFileReader.FileName);
        if (File.Exists(tokenizerModel)) return SentencePieceFileReader.Read(tokenizerModel, settings);
        var vocab = File.Exists(Path.Combine(directory, VocabMergesReader.VocabFile));
        var merges = File.Exists(Path.Combine(directory, VocabMergesReader.MergesFile));
        if (vocab && merges) return VocabMergesReader.Read(directory, settings);
        if (vocab || merges)
        {
            var missing = Path.Combine(directory, vocab ? VocabMergesReader.MergesFile : VocabMergesReader.VocabFile);
            throw new TokenizerLoadException(missing, $"not found; {VocabMergesReader.VocabFile} and {VocabMergesReader.MergesFile} are needed together (and there is no {TokenizerJsonReader.FileName} or {SentencePieceFileReader.FileName}).");
        }
        throw new TokenizerLoadException(directory, $"no tokenizer found: looked for {TokenizerJsonReader.FileName}, {SentencePieceFileReader.FileName}, and {VocabMergesReader.VocabFile} + {VocabMergesReader.MergesFile}.");
    }

    /// <summary>Hugging Face's <c>add_bos_token</c> / <c>add_eos_token</c> defaults per tokenizer class.</summary>
    static (bool Bos, bool Eos) ClassDefaults(string? tokenizerClass) => tokenizerClass switch
    {
        "LlamaTokenizer" or "LlamaTokenizerFast" or "CodeLlamaTokenizer" or "CodeLlamaTokenizerFast"
            or "GemmaTokenizer" or "GemmaTokenizerFast" => (true, false),
        _ => (false, false),
    };
}
