using System.Security.Cryptography;
using GradSentry.Scoring;

namespace GradSentry.Caching;

/// <summary>SHA-256 content hashes of models, options and encoded samples, for the score cache.</summary>
public static class ContentHash
{
    /// <summary>Files of a model directory that change what a score is (weights, config, tokenizer, adapter).</summary>
    static readonly string[] ModelFilePatterns =
    [
        "config.json", "*.safetensors", "model.safetensors.index.json", "tokenizer.json", "tokenizer.model",
        "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json", "adapter_config.json",
    ];

    /// <summary>
    /// Hash of every file in <paramref name="directory"/> that affects scores. File hashes are memoised in
    /// <paramref name="memoFile"/> (keyed by path, size and modification time) so big checkpoints are read once.
    /// </summary>
    public static string OfModelDirectory(string directory, string? memoFile = null)
    {
        var memo = FileHashMemo.Load(memoFile);
        var files = ModelFiles(directory);
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            all.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            all.AppendData(Convert.FromHexString(memo.HashOf(file)));
        }
        memo.Save();
        return Convert.ToHexStringLower(all.GetHashAndReset());
    }

    /// <summary>The files of <paramref name="directory"/> that <see cref="OfModelDirectory"/> hashes, sorted.</summary>
    public static IReadOnlyList<string> ModelFiles(string directory) =>
        ModelFilePatterns
            .SelectMany(p => Directory.EnumerateFiles(directory, p))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Checks that every file <see cref="OfModelDirectory"/> would hash is a regular file, so that a FIFO or a link to a
    /// device among them fails when the model is loaded, not in the middle of a scan.
    /// </summary>
    /// <exception cref="IOException">One is not a regular file (the message names it).</exception>
    public static void CheckModelFiles(string directory)
    {
        foreach (var file in ModelFiles(directory)) GradSentry.IO.RegularFile.Check(file);
    }

    /// <summary>Hash of an encoded sample: prompt length, T and every token id.</summary>
    public static byte[] OfSample(EncodedSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var bytes = new byte[8 + 4 * sample.InputIds.Length];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), sample.PromptLength);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), sample.AnswerTokens);
        for (var i = 0; i < sample.InputIds.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(8 + 4 * i), sample.InputIds[i]);
        return SHA256.HashData(bytes);
    }

    /// <summary>Hash of a string (options, fingerprints).</summary>
    public static string OfText(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Hash of one file's bytes, streamed.</summary>
    public static string OfFile(string path)
    {
        using var stream = GradSentry.IO.RegularFile.OpenRead(path, GradSentry.IO.RegularFile.Unlimited, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
