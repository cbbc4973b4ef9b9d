using System.Text.RegularExpressions;

namespace GradSentry.Tokenization;

/// <summary>
/// Reads GPT-2 style <c>vocab.json</c> + <c>merges.txt</c> (byte-level BPE) into <c>BpeOptions</c> with
/// <c>ByteLevel = true</c> and GPT-2's pre-tokenizer regex. Added tokens come from <c>added_tokens.json</c>,
/// <c>tokenizer_config.json</c> (<c>added_tokens_decoder</c>) and the named special tokens.
/// </summary>
internal static class VocabMergesReader
{
    public const string VocabFile = "vocab.json";
    public const string MergesFile = "merges.txt";

    public static TokenizerSource Read(string directory, TokenizerSettings settings)
    {
        var vocabPath = Path.Combine(directory, VocabFile);
        var mergesPath = Path.Combine(directory, MergesFile);

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var byId = new Dictionary<int, string>();
        using (var document = HfJson.Parse(vocabPath))
        {
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                var id = HfJson.Id(entry.Value, vocabPath, $"'{entry.Name}'");
                if (!byId.TryAdd(id, entry.Name))
                    throw new TokenizerLoadException(vocabPath, $"id {id} is given to both '{byId[id]}' and '{entry.Name}'.");
                vocabulary[entry.Name] = id;
            }
        }
        if (vocabulary.Count == 0) throw new TokenizerLoadException(vocabPath, "the vocabulary is empty.");

        string[] lines;
        try
        {
            lines = GradSentry.IO.RegularFile.ReadAllText(mergesPath, HfJson.MaxBytes).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
            if (lines.Length > 0 && lines[^1].Length == 0) lines = lines[..^1];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerLoadException(mergesPath, "cannot be read: " + ex.Message, ex);
        }
        var merges = new List<string>(lines.Length);
        for (var n = 1; n <= lines.Length; n++)
        {
            var line = lines[n - 1];
            if (line.Length == 0 || (n == 1 && line.StartsWith("#version", StringComparison.Ordinal))) continue;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
                throw new TokenizerLoadException(mergesPath, $"line {n} (\"{line}\") is not two tokens separated by one space.");
            var (left, right) = (line[..space], line[(space + 1)..]);
            foreach (var token in new[] { left, right, left + right })
                if (!vocabulary.ContainsKey(token))
                    throw new TokenizerLoadException(mergesPath, $"line {n} (\"{line}\") refers to '{token}', which is not in {VocabFile}.");
            merges.Add(line);
        }

        var tokenToId = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        var added = new List<AddedToken>();
        foreach (var (token, file) in settings.AddedTokens)
        {
            if (tokenToId.TryGetValue(token.Content, out var existing) && existing != token.Id)
                throw new TokenizerLoadException(file, $"added token '{token.Content}' has id {token.Id}, but {VocabFile} has it as {existing}.");
            if (byId.TryGetValue(token.Id, out var other) && other != token.Content)
                throw new TokenizerLoadException(file, $"added token '{token.Content}' has id {token.Id}, which is '{other}' in {VocabFile}.");
            tokenToId[token.Content] = token.Id;
            added.Add(token);
        }
        foreach (var named in settings.Named.Values)
            if (named.Content is not null && vocabulary.TryGetValue(named.Content, out var id) && !added.Any(a => a.Content == named.Content))
                added.Add(new AddedToken(id, named.Content, Special: true));

        var unknown = settings.Named.GetValueOrDefault("unk_token")?.Content;
        if (unknown is not null && !vocabulary.ContainsKey(unknown))
            throw new TokenizerLoadException(settings.Named["unk_token"].File, $"unk_token '{unknown}' is not in {VocabFile}.");
        var normalizer = settings.AddPrefixSpace == true ? HfNormalizer.Create([HfNormalizer.PrefixSpace()]) : null;
        return new TokenizerSource
        {
            Path = vocabPath,
            Kind = "vocab.json+merges.txt (byte-level BPE)",
            TokenToId = tokenToId,
            Ids = new HashSet<int>(tokenToId.Values),
            AddedTokens = added,
            Build = _ => TokenizerSource.BuildByteLevelBpe(vocabPath, vocabulary, merges, added,
                new Regex(TokenizerSource.Gpt2Pattern, RegexOptions.CultureInvariant), normalizer, unknown),
        };
    }
}
