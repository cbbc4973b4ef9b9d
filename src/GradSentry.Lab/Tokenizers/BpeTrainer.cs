using System.Text;
using System.Text.RegularExpressions;
using GradSentry.Lab.TinyModels;

namespace GradSentry.Lab.Tokenizers;

/// <summary>A trained byte-level BPE: the vocabulary (token → id) and the merges in rank order.</summary>
/// <param name="Vocabulary">Token strings (GPT-2 byte alphabet) by id; specials first, then the 256 bytes, then merge results.</param>
/// <param name="Merges">Merge pairs in the order they were learned.</param>
/// <param name="Specials">The special tokens at ids 0..3: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;pad&gt;</c>
/// (Llama-2's order; <c>&lt;unk&gt;</c> is never produced by a byte-level model, it keeps BOS and EOS at 1 and 2 because
/// <c>config.json</c> ids must be positive for the loader).</param>
public sealed record BpeModel(IReadOnlyList<string> Vocabulary, IReadOnlyList<(string Left, string Right)> Merges, IReadOnlyList<string> Specials)
{
    /// <summary>Id of <c>&lt;s&gt;</c>.</summary>
    public const int BosId = 1;

    /// <summary>Id of <c>&lt;/s&gt;</c>.</summary>
    public const int EosId = 2;

    /// <summary>Id of <c>&lt;pad&gt;</c>.</summary>
    public const int PadId = 3;

    /// <summary>Encodes text with the learned merges (a reference implementation used by tests and by the trainer's checks).</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Vocabulary.Count; i++) ids[Vocabulary[i]] = i;
        var ranks = new Dictionary<(string, string), int>();
        for (var i = 0; i < Merges.Count; i++) ranks[Merges[i]] = i;
        var result = new List<int>();
        foreach (var word in BpeTrainer.PreTokenize(text))
        {
            var symbols = word.Select(c => c.ToString()).ToList();
            while (symbols.Count > 1)
            {
                var best = -1;
                var bestRank = int.MaxValue;
                for (var i = 0; i + 1 < symbols.Count; i++)
                    if (ranks.TryGetValue((symbols[i], symbols[i + 1]), out var r) && r < bestRank) { bestRank = r; best = i; }
                if (best < 0) break;
                symbols[best] += symbols[best + 1];
                symbols.RemoveAt(best + 1);
            }
            result.AddRange(symbols.Select(s => ids[s]));
        }
        return result;
    }
}

/// <summary>
/// Trains a byte-level BPE tokenizer (GPT-2 style): text is split by GPT-2's pre-tokenizer regex, each piece becomes
/// its UTF-8 bytes written in GPT-2's byte alphabet, and the most frequent adjacent pair is merged repeatedly (ties: the
/// ordinally smallest "left right") until the vocabulary is full or no pair occurs twice. Deterministic.
/// </summary>
public static partial class BpeTrainer
{
    /// <summary>The special tokens, at ids 0..3.</summary>
    public static IReadOnlyList<string> Specials { get; } = ["<unk>", "<s>", "</s>", "<pad>"];

    /// <summary>Learns merges until the vocabulary (specials + 256 bytes + merges) has <paramref name="vocabularySize"/> entries.</summary>
    public static BpeModel Train(IEnumerable<string> texts, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var baseSize = Specials.Count + 256;
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, baseSize);
        var alphabet = ByteTokenizerFiles.ByteAlphabet();
        var vocabulary = new List<string>(Specials);
        for (var b = 0; b < 256; b++) vocabulary.Add(alphabet[b].ToString());

        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var word in PreTokenize(text))
                wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
        var words = wordCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (Symbols: kv.Key.Select(c => c.ToString()).ToList(), Count: kv.Value)).ToList();

        var pairCounts = new Dictionary<(string, string), long>();
        var pairWords = new Dictionary<(string, string), HashSet<int>>();
        void Count(int w, int sign)
        {
            var (symbols, count) = words[w];
            for (var i = 0; i + 1 < symbols.Count; i++)
            {
                var pair = (symbols[i], symbols[i + 1]);
                pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + sign * count;
                if (sign > 0)
                {
                    if (!pairWords.TryGetValue(pair, out var set)) pairWords[pair] = set = [];
                    set.Add(w);
                }
            }
        }
        for (var w = 0; w < words.Count; w++) Count(w, +1);

        var merges = new List<(string, string)>();
        while (vocabulary.Count < vocabularySize)
        {
            var best = default((string, string));
            long bestCount = 1;
            foreach (var (pair, count) in pairCounts)
            {
                if (count > bestCount || (count == bestCount && bestCount > 1 && Compare(pair, best) < 0))
                {
                    best = pair;
                    bestCount = count;
                }
            }
            if (bestCount < 2) break;
            merges.Add(best);
            var merged = best.Item1 + best.Item2;
            vocabulary.Add(merged);
            foreach (var w in pairWords[best].Order().ToList())
            {
                var symbols = words[w].Symbols;
                var has = false;
                for (var i = 0; i + 1 < symbols.Count; i++)
                    if (symbols[i] == best.Item1 && symbols[i + 1] == best.Item2) { has = true; break; }
                if (!has) continue;
                Count(w, -1);
                var replaced = new List<string>(symbols.Count);
                for (var i = 0; i < symbols.Count; i++)
                {
                    if (i + 1 < symbols.Count && symbols[i] == best.Item1 && symbols[i + 1] == best.Item2)
                    {
                        replaced.Add(merged);
                        i++;
                    }
                    else
                    {
                        replaced.Add(symbols[i]);
                    }
                }
                words[w] = (replaced, words[w].Count);
                Count(w, +1);
            }
            pairCounts.Remove(best);
            pairWords.Remove(best);
        }
        return new BpeModel(vocabulary, merges, Specials);
    }

    static int Compare((string, string) a, (string, string) b)
    {
        var c = string.CompareOrdinal(a.Item1, b.Item1);
        return c != 0 ? c : string.CompareOrdinal(a.Item2, b.Item2);
    }

    /// <summary>GPT-2's pre-tokenization: regex pieces, each as its UTF-8 bytes in the GPT-2 byte alphabet.</summary>
    public static IEnumerable<string> PreTokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var alphabet = ByteTokenizerFiles.ByteAlphabet();
        foreach (Match m in Gpt2Split().Matches(text))
        {
            var bytes = Encoding.UTF8.GetBytes(m.Value);
            var sb = new StringBuilder(bytes.Length);
            foreach (var b in bytes) sb.Append(alphabet[b]);
            yield return sb.ToString();
        }
    }

    /// <summary>GPT-2's split pattern (as in Hugging Face's ByteLevel pre-tokenizer with <c>use_regex</c>).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    [GeneratedRegex(Gpt2Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Gpt2Split();
}
