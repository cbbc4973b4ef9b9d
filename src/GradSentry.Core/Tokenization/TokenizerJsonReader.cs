using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GradSentry.Tokenization;

/// <summary>
/// Translates a Hugging Face <c>tokenizer.json</c> with a BPE model into Microsoft.ML.Tokenizers, which has no
/// reader for that file:
/// <list type="bullet">
/// <item>byte-level BPE (ByteLevel pre-tokenizer or decoder; GPT-2, Qwen2, Llama-3) becomes
/// <c>BpeOptions</c> with <c>ByteLevel = true</c> and a <c>RegexPreTokenizer</c> built from the Split
/// pre-tokenizer's regex (GPT-2's regex for ByteLevel <c>use_regex</c>);</item>
/// <item>SentencePiece-style BPE (Metaspace pre-tokenizer or Prepend/Replace "▁" normalizer, usually with
/// <c>byte_fallback</c> and <c>&lt;0xNN&gt;</c> tokens; Llama-2, Mistral) becomes a SentencePiece BPE
/// <c>ModelProto</c> for <c>SentencePieceTokenizer</c>, the library's only byte-fallback implementation. Each
/// merge result gets the score −(rank of its first merge), so the library's highest-score-first merging follows
/// the merge list; this is exact for vocabularies converted from SentencePiece (every piece that two pieces
/// concatenate to has a merge), which is what such files are.</item>
/// </list>
/// Other model types (WordPiece, WordLevel, Unigram) and pre-tokenizers are refused with the file named.
/// Known differences from Hugging Face, all outside the common cases:
/// <list type="bullet">
/// <item><c>ignore_merges</c> (Llama-3) is not honoured: a pre-token that is itself a vocabulary entry is still
/// built by merges, which differs only for entries the merges cannot reach;</item>
/// <item>added tokens' <c>lstrip</c>/<c>rstrip</c>/<c>single_word</c>/<c>normalized</c> flags are ignored, and the
/// normalizer runs over the whole text (the library normalizes before it splits out added tokens);</item>
/// <item>the split regex runs on UTF-16 in .NET, so <c>\p{L}</c>/<c>\p{N}</c> do not match supplementary-plane
/// letters and digits (e.g. U+1D400), which then fall into the "other" class of the GPT-2/Llama-3 patterns;</item>
/// <item>a Metaspace <c>split: true</c> is not reproduced (the library's SentencePiece BPE does not cut at "▁");
/// it matters only for vocabularies with pieces that have "▁" inside.</item>
/// </list>
/// </summary>
internal static class TokenizerJsonReader
{
    public const string FileName = "tokenizer.json";
    const string Metaspace = "\u2581";

    public static TokenizerSource Read(string path)
    {
        using var document = HfJson.Parse(path);
        var root = document.RootElement;
        var model = HfJson.Object(root, "model", path, "");
        var type = HfJson.String(model, "type", path, "model")
                   ?? (HfJson.Has(model, "merges") ? "BPE" : throw new TokenizerLoadException(path, "'model.type' is missing."));
        if (type != "BPE")
            throw new TokenizerLoadException(path, $"model type '{type}' is not supported: only BPE tokenizer.json files (byte-level or SentencePiece-style) are translated to Microsoft.ML.Tokenizers.");

        var vocabulary = ReadVocabulary(model, path);
        var merges = ReadMerges(model, path);
        var added = ReadAddedTokens(root, vocabulary, path);
        var unknown = HfJson.String(model, "unk_token", path, "model");
        if (unknown is not null && !vocabulary.ContainsKey(unknown))
            throw new TokenizerLoadException(path, $"'model.unk_token' '{unknown}' is not in model.vocab.");
        var prefix = NullIfEmpty(HfJson.String(model, "continuing_subword_prefix", path, "model"));
        var suffix = NullIfEmpty(HfJson.String(model, "end_of_word_suffix", path, "model"));
        ValidateMerges(merges, vocabulary, prefix, path);
        if (HfJson.Get(model, "dropout") is { ValueKind: JsonValueKind.Number } dropout && dropout.GetDouble() > 0)
            throw new TokenizerLoadException(path, "'model.dropout' is set: BPE dropout makes encoding random and is not supported.");
        var byteFallback = HfJson.Bool(model, "byte_fallback", path, "model") ?? false;

        var normalizers = Components(root, "normalizer", "normalizers", path);
        var preTokenizers = Components(root, "pre_tokenizer", "pretokenizers", path);
        var decoders = Components(root, "decoder", "decoders", path);
        var byteLevel = preTokenizers.Concat(decoders).Any(c => TypeOf(c, path) == "ByteLevel");
        var sentencePieceStyle = byteFallback
                                 || preTokenizers.Concat(decoders).Any(c => TypeOf(c, path) is "Metaspace" or "ByteFallback")
                                 || normalizers.Any(c => (TypeOf(c, path) == "Prepend" && HfJson.String(c, "prepend", path, "normalizer") == Metaspace)
                                                         || (TypeOf(c, path) == "Replace" && HfJson.String(c, "content", path, "normalizer") == Metaspace));
        if (byteLevel && sentencePieceStyle)
            throw new TokenizerLoadException(path, "the BPE model mixes a ByteLevel pre-tokenizer/decoder with Metaspace/byte_fallback; no Microsoft.ML.Tokenizers model does both.");
        if (!byteLevel && !sentencePieceStyle)
            throw new TokenizerLoadException(path, "the BPE model is neither byte-level (ByteLevel pre-tokenizer or decoder) nor SentencePiece-style (Metaspace, a \"▁\" normalizer or byte_fallback); only those two are supported.");

        var tokenToId = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        foreach (var token in added) tokenToId[token.Content] = token.Id;
        var ids = new HashSet<int>(tokenToId.Values);
        var template = ReadTemplate(root, tokenToId, path);

        if (byteLevel)
        {
            var split = ByteLevelSplit(preTokenizers, path, out var addPrefixSpace);
            var steps = NormalizerSteps(normalizers, path);
            if (addPrefixSpace) steps.Add(HfNormalizer.PrefixSpace());
            var normalizer = HfNormalizer.Create(steps);
            var fuseUnknown = HfJson.Bool(model, "fuse_unk", path, "model") ?? false;
            var mergeStrings = merges.Select((m, i) => m.Left.Contains(' ', StringComparison.Ordinal) || m.Right.Contains(' ', StringComparison.Ordinal)
                ? throw new TokenizerLoadException(path, $"'model.merges[{i}]' has a token with a literal space, which Microsoft.ML.Tokenizers' merge format cannot hold.")
                : m.Left + " " + m.Right).ToList();
            return new TokenizerSource
            {
                Path = path,
                Kind = "tokenizer.json (byte-level BPE)",
                TokenToId = tokenToId,
                Ids = ids,
                AddedTokens = added,
                Template = template,
                // Everything the build needs is read now: the JSON document is disposed when Read returns.
                Build = _ => TokenizerSource.BuildByteLevelBpe(path, vocabulary, mergeStrings, added, split, normalizer, unknown, fuseUnknown, prefix, suffix),
            };
        }

        if (prefix is not null || suffix is not null)
            throw new TokenizerLoadException(path, "continuing_subword_prefix / end_of_word_suffix cannot be expressed in a SentencePiece model.");
        var (addDummyPrefix, escapeWhitespace) = SentencePieceWhitespace(normalizers, preTokenizers, path);
        var translation = new SentencePieceTranslation(path, vocabulary, merges, added, unknown, byteFallback, addDummyPrefix, escapeWhitespace);
        translation.Validate();
        return new TokenizerSource
        {
            Path = path,
            Kind = "tokenizer.json (SentencePiece-style BPE)",
            TokenToId = tokenToId,
            Ids = ids,
            AddedTokens = added,
            Template = template,
            Build = translation.Build,
        };
    }

    static Dictionary<string, int> ReadVocabulary(JsonElement model, string path)
    {
        var vocab = HfJson.Object(model, "vocab", path, "model");
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        var byId = new Dictionary<int, string>();
        foreach (var entry in vocab.EnumerateObject())
        {
            var id = HfJson.Id(entry.Value, path, $"'model.vocab[\"{entry.Name}\"]'");
            if (!byId.TryAdd(id, entry.Name))
                throw new TokenizerLoadException(path, $"model.vocab gives id {id} to both '{byId[id]}' and '{entry.Name}'.");
            result[entry.Name] = id;
        }
        if (result.Count == 0) throw new TokenizerLoadException(path, "'model.vocab' is empty.");
        return result;
    }

    static List<(string Left, string Right)> ReadMerges(JsonElement model, string path)
    {
        var merges = new List<(string, string)>();
        if (HfJson.Get(model, "merges") is not { } list) return merges;
        if (list.ValueKind != JsonValueKind.Array)
            throw new TokenizerLoadException(path, $"'model.merges' must be a list, found {HfJson.Show(list)}.");
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                // Legacy form "left right": exactly one space separates the two tokens.
                var text = item.GetString()!;
                var space = text.IndexOf(' ', StringComparison.Ordinal);
                if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                    throw new TokenizerLoadException(path, $"'model.merges[{i}]' (\"{text}\") is not two tokens separated by one space.");
                merges.Add((text[..space], text[(space + 1)..]));
            }
            else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() == 2
                     && item[0].ValueKind == JsonValueKind.String && item[1].ValueKind == JsonValueKind.String)
            {
                merges.Add((item[0].GetString()!, item[1].GetString()!));
            }
            else
            {
                throw new TokenizerLoadException(path, $"'model.merges[{i}]' must be \"left right\" or [\"left\", \"right\"], found {HfJson.Show(item)}.");
            }
            i++;
        }
        return merges;
    }

    static void ValidateMerges(List<(string Left, string Right)> merges, Dictionary<string, int> vocabulary, string? prefix, string path)
    {
        for (var i = 0; i < merges.Count; i++)
        {
            var (left, right) = merges[i];
            var result = left + (prefix is not null && right.StartsWith(prefix, StringComparison.Ordinal) ? right[prefix.Length..] : right);
            foreach (var token in new[] { left, right, result })
                if (!vocabulary.ContainsKey(token))
                    throw new TokenizerLoadException(path, $"'model.merges[{i}]' (\"{left} {right}\") refers to '{token}', which is not in model.vocab.");
        }
    }

    static List<AddedToken> ReadAddedTokens(JsonElement root, Dictionary<string, int> vocabulary, string path)
    {
        var added = new List<AddedToken>();
        if (HfJson.Get(root, "added_tokens") is not { } list) return added;
        var vocabularyById = vocabulary.ToDictionary(kv => kv.Value, kv => kv.Key);
        if (list.ValueKind != JsonValueKind.Array)
            throw new TokenizerLoadException(path, $"'added_tokens' must be a list, found {HfJson.Show(list)}.");
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var context = $"added_tokens[{i++}]";
            var id = HfJson.Get(item, "id") is { } idValue ? HfJson.Id(idValue, path, $"'{context}.id'") : throw new TokenizerLoadException(path, $"'{context}.id' is missing.");
            var content = HfJson.String(item, "content", path, context) ?? throw new TokenizerLoadException(path, $"'{context}.content' is missing.");
            if (content.Length == 0) throw new TokenizerLoadException(path, $"'{context}.content' is empty.");
            if (vocabulary.TryGetValue(content, out var vocabId) && vocabId != id)
                throw new TokenizerLoadException(path, $"'{context}' gives '{content}' id {id}, but model.vocab has it as {vocabId}.");
            if (vocabularyById.TryGetValue(id, out var other) && other != content)
                throw new TokenizerLoadException(path, $"'{context}' gives id {id} to '{content}', but model.vocab has '{other}' at that id.");
            added.Add(new AddedToken(id, content, HfJson.Bool(item, "special", path, context) ?? false));
        }
        return added;
    }

    /// <summary>The components of a normalizer / pre-tokenizer / decoder, flattening a Sequence.</summary>
    static List<JsonElement> Components(JsonElement root, string name, string sequenceKey, string path)
    {
        var result = new List<JsonElement>();
        if (HfJson.Get(root, name) is not { } element) return result;
        Flatten(element, name);
        return result;

        void Flatten(JsonElement component, string context)
        {
            if (component.ValueKind != JsonValueKind.Object)
                throw new TokenizerLoadException(path, $"'{context}' must be an object, found {HfJson.Show(component)}.");
            if (TypeOf(component, path) != "Sequence")
            {
                result.Add(component);
                return;
            }
            if (HfJson.Get(component, sequenceKey) is not { ValueKind: JsonValueKind.Array } items)
                throw new TokenizerLoadException(path, $"'{context}' is a Sequence without a '{sequenceKey}' list.");
            var i = 0;
            foreach (var item in items.EnumerateArray()) Flatten(item, $"{context}.{sequenceKey}[{i++}]");
        }
    }

    static string TypeOf(JsonElement component, string path) =>
        HfJson.String(component, "type", path, "component") ?? throw new TokenizerLoadException(path, $"a component without 'type': {HfJson.Show(component)}.");

    /// <summary>The splitting regex of a byte-level pre-tokenizer chain; null means the whole text is one piece.</summary>
    static Regex? ByteLevelSplit(List<JsonElement> preTokenizers, string path, out bool addPrefixSpace)
    {
        string? pattern = null;
        var gapsPossible = false;
        addPrefixSpace = false;
        foreach (var component in preTokenizers)
        {
            switch (TypeOf(component, path))
            {
                case "ByteLevel":
                    addPrefixSpace = HfJson.Bool(component, "add_prefix_space", path, "pre_tokenizer.ByteLevel") ?? true;
                    if (HfJson.Bool(component, "use_regex", path, "pre_tokenizer.ByteLevel") ?? true)
                    {
                        if (pattern is not null)
                            throw new TokenizerLoadException(path, "a Split pre-tokenizer followed by ByteLevel with use_regex=true splits twice; this is not supported.");
                        pattern = TokenizerSource.Gpt2Pattern;
                    }
                    break;
                case "Split":
                    if (pattern is not null)
                        throw new TokenizerLoadException(path, "more than one splitting pre-tokenizer; only a single Split (or ByteLevel use_regex) is supported.");
                    pattern = SplitPattern(component, path);
                    gapsPossible = true;
                    break;
                case var other:
                    throw new TokenizerLoadException(path, $"pre-tokenizer '{other}' is not supported with byte-level BPE (supported: ByteLevel, Split).");
            }
        }
        if (pattern is null) return null;
        var regex = CompileRegex(pattern, path, "pre-tokenizer");   // the pattern alone must be valid before it is wrapped
        return gapsPossible ? TokenizerSource.SplitRegex(pattern) : regex;
    }

    static string SplitPattern(JsonElement split, string path)
    {
        var behavior = HfJson.String(split, "behavior", path, "pre_tokenizer.Split") ?? "Isolated";
        if (behavior != "Isolated")
            throw new TokenizerLoadException(path, $"Split behavior '{behavior}' is not supported (only Isolated).");
        if (HfJson.Bool(split, "invert", path, "pre_tokenizer.Split") ?? false)
            throw new TokenizerLoadException(path, "Split with invert=true is not supported.");
        var pattern = HfJson.Object(split, "pattern", path, "pre_tokenizer.Split");
        return HfJson.String(pattern, "Regex", path, "pre_tokenizer.Split.pattern")
               ?? (HfJson.String(pattern, "String", path, "pre_tokenizer.Split.pattern") is { } literal ? Regex.Escape(literal)
                   : throw new TokenizerLoadException(path, "'pre_tokenizer.Split.pattern' has neither 'Regex' nor 'String'."));
    }

    static List<(string, Func<string, string>)> NormalizerSteps(List<JsonElement> normalizers, string path)
    {
        var steps = new List<(string, Func<string, string>)>();
        foreach (var component in normalizers)
        {
            switch (TypeOf(component, path))
            {
                case "NFC": steps.Add(HfNormalizer.Unicode(NormalizationForm.FormC)); break;
                case "NFD": steps.Add(HfNormalizer.Unicode(NormalizationForm.FormD)); break;
                case "NFKC": steps.Add(HfNormalizer.Unicode(NormalizationForm.FormKC)); break;
                case "NFKD": steps.Add(HfNormalizer.Unicode(NormalizationForm.FormKD)); break;
                case "Lowercase": steps.Add(HfNormalizer.Lowercase()); break;
                case "Prepend":
                    steps.Add(HfNormalizer.Prepend(HfJson.String(component, "prepend", path, "normalizer.Prepend")
                                                   ?? throw new TokenizerLoadException(path, "'normalizer.Prepend.prepend' is missing.")));
                    break;
                case "Replace":
                    var pattern = HfJson.Object(component, "pattern", path, "normalizer.Replace");
                    var content = HfJson.String(component, "content", path, "normalizer.Replace") ?? "";
                    if (HfJson.String(pattern, "String", path, "normalizer.Replace.pattern") is { } literal)
                        steps.Add(HfNormalizer.Replace(literal, content));
                    else if (HfJson.String(pattern, "Regex", path, "normalizer.Replace.pattern") is { } regex)
                        steps.Add(HfNormalizer.Replace(CompileRegex(regex, path, "normalizer.Replace"), content));
                    else
                        throw new TokenizerLoadException(path, "'normalizer.Replace.pattern' has neither 'String' nor 'Regex'.");
                    break;
                case var other:
                    throw new TokenizerLoadException(path, $"normalizer '{other}' is not supported (supported: NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace).");
            }
        }
        return steps;
    }

    /// <summary>
    /// SentencePiece whitespace flags from the two Hugging Face spellings: normalizer Prepend("▁") + Replace(" ", "▁")
    /// (Llama-2 <c>legacy</c>), or a Metaspace pre-tokenizer (<c>prepend_scheme</c> first/always/never).
    /// </summary>
    static (bool AddDummyPrefix, bool EscapeWhitespace) SentencePieceWhitespace(List<JsonElement> normalizers, List<JsonElement> preTokenizers, string path)
    {
        bool addDummyPrefix = false, escape = false;
        foreach (var component in normalizers)
        {
            var type = TypeOf(component, path);
            if (type == "Prepend" && HfJson.String(component, "prepend", path, "normalizer.Prepend") == Metaspace)
                addDummyPrefix = true;
            else if (type == "Replace"
                     && HfJson.Get(component, "pattern") is { } pattern && HfJson.String(pattern, "String", path, "normalizer.Replace.pattern") == " "
                     && HfJson.String(component, "content", path, "normalizer.Replace") == Metaspace)
                escape = true;
            else
                throw new TokenizerLoadException(path, $"normalizer component {HfJson.Show(component)} cannot be expressed in a SentencePiece model (supported: Prepend(\"▁\"), Replace(\" \", \"▁\")).");
        }
        foreach (var component in preTokenizers)
        {
            if (TypeOf(component, path) != "Metaspace")
                throw new TokenizerLoadException(path, $"pre-tokenizer '{TypeOf(component, path)}' is not supported with SentencePiece-style BPE (supported: Metaspace).");
            var replacement = HfJson.String(component, "replacement", path, "pre_tokenizer.Metaspace") ?? Metaspace;
            if (replacement != Metaspace)
                throw new TokenizerLoadException(path, $"Metaspace replacement '{replacement}' is not supported (Microsoft.ML.Tokenizers uses \"▁\").");
            escape = true;
            var scheme = HfJson.String(component, "prepend_scheme", path, "pre_tokenizer.Metaspace");
            addDummyPrefix = scheme switch
            {
                null => HfJson.Bool(component, "add_prefix_space", path, "pre_tokenizer.Metaspace") ?? true,
                "first" or "always" => true,
                "never" => false,
                _ => throw new TokenizerLoadException(path, $"Metaspace prepend_scheme '{scheme}' is not known."),
            };
        }
        return (addDummyPrefix, escape);
    }

    /// <summary>What the post_processor (TemplateProcessing, possibly inside a Sequence) adds around one sequence.</summary>
    static TemplateHint? ReadTemplate(JsonElement root, Dictionary<string, int> tokenToId, string path)
    {
        foreach (var processor in Components(root, "post_processor", "processors", path))
        {
            if (TypeOf(processor, path) != "TemplateProcessing") continue;
            if (HfJson.Get(processor, "single") is not { ValueKind: JsonValueKind.Array } single) return null;
            var items = single.EnumerateArray().ToList();
            var sequenceAt = items.FindIndex(item => HfJson.Has(item, "Sequence"));
            if (sequenceAt < 0) return null;
            var before = items.Take(sequenceAt).Where(item => HfJson.Has(item, "SpecialToken")).ToList();
            var after = items.Skip(sequenceAt + 1).Where(item => HfJson.Has(item, "SpecialToken")).ToList();
            return new TemplateHint(before.Count > 0, before.Count > 0 ? TemplateId(processor, before[0]) : null,
                                    after.Count > 0, after.Count > 0 ? TemplateId(processor, after[^1]) : null);
        }
        return null;

        int? TemplateId(JsonElement processor, JsonElement item)
        {
            var name = HfJson.String(item.GetProperty("SpecialToken"), "id", path, "post_processor.single.SpecialToken");
            if (name is null) return null;
            if (HfJson.Get(processor, "special_tokens") is { } specials
                && HfJson.Get(specials, name) is { } entry && HfJson.Get(entry, "ids") is { ValueKind: JsonValueKind.Array } ids && ids.GetArrayLength() == 1)
                return HfJson.Id(ids[0], path, $"'post_processor.special_tokens.{name}.ids[0]'");
            return tokenToId.TryGetValue(name, out var id) ? id : null;
        }
    }

    static Regex CompileRegex(string pattern, string path, string context)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant);
        }
        catch (ArgumentException ex)
        {
            throw new TokenizerLoadException(path, $"the {context} regex /{pattern}/ is not a valid .NET regular expression: {ex.Message}", ex);
        }
    }

    static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The SentencePiece <c>ModelProto</c> for a SentencePiece-style BPE <c>tokenizer.json</c>.</summary>
    sealed class SentencePieceTranslation(
        string path, Dictionary<string, int> vocabulary, List<(string Left, string Right)> merges, List<AddedToken> added,
        string? unknown, bool byteFallback, bool addDummyPrefix, bool escapeWhitespace)
    {
        readonly string[] _pieces = new string[Math.Max(vocabulary.Values.Max(), added.Count == 0 ? 0 : added.Max(a => a.Id)) + 1];

        public void Validate()
        {
            foreach (var (token, id) in vocabulary) _pieces[id] = token;
            foreach (var token in added) _pieces[token.Id] = token.Content;
            var gap = Array.IndexOf(_pieces, null);
            if (gap >= 0)
                throw new TokenizerLoadException(path, $"no token has id {gap}: a SentencePiece model needs ids 0..{_pieces.Length - 1} without gaps.");
            if (byteFallback)
            {
                var first = vocabulary.GetValueOrDefault(ByteToken(0), -1);
                for (var b = 0; b < 256; b++)
                    if (first < 0 || vocabulary.GetValueOrDefault(ByteToken(b), -1) != first + b)
                        throw new TokenizerLoadException(path, $"byte_fallback needs the 256 tokens <0x00>..<0xFF> at consecutive ids; '{ByteToken(b)}' is missing or out of place.");
                var special = new HashSet<int>(added.Select(a => a.Id));
                if (unknown is not null) special.Add(vocabulary[unknown]);
                for (var id = 0; id < first; id++)
                    if (!special.Contains(id))
                        throw new TokenizerLoadException(path, $"token '{_pieces[id]}' (id {id}) lies before the byte tokens but is not an added token; Microsoft.ML.Tokenizers decodes ids below <0x00> as special tokens only.");
            }
            if (!byteFallback && unknown is null && addDummyPrefix && !vocabulary.ContainsKey(Metaspace))
                throw new TokenizerLoadException(path, "the normalizer prepends \"▁\" but \"▁\" is not in model.vocab (and there is no unk_token or byte_fallback).");
        }

        public BuiltTokenizer Build(SpecialIds ids)
        {
            var addedById = added.ToDictionary(a => a.Id);
            var firstRank = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var rank = 0; rank < merges.Count; rank++) firstRank.TryAdd(merges[rank].Left + merges[rank].Right, rank);
            var unknownId = unknown is null ? (int?)null : vocabulary[unknown];

            var model = new SentencePieceModel
            {
                ModelType = SentencePieceModel.Bpe,
                ByteFallback = byteFallback,
                NormalizerName = "identity",
                AddDummyPrefix = addDummyPrefix,
                RemoveExtraWhitespaces = false,
                EscapeWhitespaces = escapeWhitespace,
            };
            for (var id = 0; id < _pieces.Length; id++)
            {
                var text = _pieces[id];
                PieceType type;
                float score = 0;
                if (id == unknownId) type = PieceType.Unknown;
                else if (addedById.TryGetValue(id, out var token)) type = token.Special ? PieceType.Control : PieceType.UserDefined;
                else if (byteFallback && IsByteToken(text)) type = PieceType.Byte;
                else
                {
                    type = PieceType.Normal;
                    // Highest score merges first in the library: the earliest merge producing a piece ranks it;
                    // pieces no merge produces come after every merge.
                    score = firstRank.TryGetValue(text, out var rank) ? -(rank + 1) : -(merges.Count + 1 + id);
                }
                model.Pieces.Add(new Piece(text, score, type));
            }

            // The library reads ids <= 0 for bos/eos as 1 and decodes the bos/eos/unk ids as those pieces'
            // strings, so point each at a real piece and name that piece.
            var fallback = unknownId ?? ids.Unk ?? added.Select(a => (int?)a.Id).FirstOrDefault(a => a > 0) ?? 0;
            model.UnkId = unknownId ?? fallback;
            model.BosId = ids.Bos is > 0 ? ids.Bos.Value : ids.Eos is > 0 ? ids.Eos.Value : Math.Max(1, fallback);
            model.EosId = ids.Eos is > 0 ? ids.Eos.Value : model.BosId;
            if (model.BosId >= _pieces.Length) model.BosId = model.UnkId;
            if (model.EosId >= _pieces.Length) model.EosId = model.UnkId;
            model.UnkPiece = _pieces[model.UnkId];
            model.BosPiece = _pieces[model.BosId];
            model.EosPiece = _pieces[model.EosId];

            var sentencePiece = TokenizerSource.CreateSentencePiece(path, model.ToByteArray(), TokenizerSource.AddedTokenMap(added));
            var coverage = byteFallback || unknown is not null
                ? TextCoverage.Everything()
                : TextCoverage.Pieces(vocabulary.Keys, added.Select(a => a.Content), escapeWhitespace, "tokenizer.json has no token for it, no unk_token and no byte_fallback");
            return TokenizerSource.WrapSentencePiece(sentencePiece, coverage);
        }

        static string ByteToken(int value) => string.Create(CultureInfo.InvariantCulture, $"<0x{value:X2}>");

        static bool IsByteToken(string text) =>
            text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal) && text[5] == '>'
            && byte.TryParse(text.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _);
    }
}
