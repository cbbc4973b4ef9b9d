using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GradSentry.Data;
using GradSentry.Scoring;
using GradSentry.Thresholds;
using GradSentry.Verdicts;

namespace GradSentry.Scanning;

/// <summary>
/// Reads dataset files, scores every row, fits the threshold on all scores and decides. The one
/// orchestration the CLI, the lab and the build gate share.
/// </summary>
public static class DatasetScanner
{
    /// <summary>Scans <paramref name="files"/> with <paramref name="options"/>.</summary>
    /// <exception cref="DatasetException">A file is missing or malformed (message names file and line); nothing was decided.</exception>
    /// <exception cref="IOException">The model cannot be loaded (message names file and tensor).</exception>
    /// <exception cref="ArgumentException">An impossible option.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; rows already probed are in the cache.</exception>
    public static ScanResult Run(IReadOnlyList<string> files, ScanOptions options, IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        if (files.Count == 0) throw new ArgumentException("no dataset files were given.", nameof(files));
        if (!(options.MaxPoisonFraction is >= 0 and <= 1))
            throw new ArgumentException($"max poison fraction must be in [0, 1] (got {options.MaxPoisonFraction}).", nameof(options));
        var rule = ThresholdRule.Parse(options.Threshold);
        options.Scoring.Validate();

        var lengthControlled = options.Scoring.Score == ScoreKind.LengthControlled;
        using var model = GradSentryModel.Load(options.ModelDirectory, options.Device, options.DType, options.AdapterDirectory);
        // The length-controlled score needs every row's gradient sketch, which the cache does not store.
        using var cache = options.CacheDirectory is null || lengthControlled ? null : model.OpenCache(options.CacheDirectory, options.Scoring.Probe);
        using var scorer = model.CreateScorer(options.Scoring, options.MaxLength, cache);

        var located = new List<(string File, long Row, long Line, string Hash)>();
        var suspects = new TopSuspectSet(options.TopSuspects);
        var texts = new Dictionary<long, (string Prompt, string Response)>();
        var clock = Stopwatch.StartNew();
        var total = CountRowsCheaply(files);
        var inputs = SampleReader.Read(files, options.Reader).Select(row =>
        {
            var id = located.Count;
            located.Add((row.File, row.Row, row.Line, HashRow(row.RawLine)));
            texts[id] = (row.Prompt, row.Response);
            return new ScoringInput(id, row.Prompt, row.Response);
        });

        var streamed = new List<SampleScore>();
        foreach (var score in scorer.Score(inputs, cancellationToken))
        {
            streamed.Add(score);
            if (!lengthControlled)
            {
                // The reference score is final: keep only the top suspects' text.
                var (prompt, response) = texts[score.Id];
                texts.Remove(score.Id);
                if (score.IsScored) suspects.Offer(score, located[(int)score.Id].File, located[(int)score.Id].Line, prompt, response);
            }
            if (streamed.Count % 64 == 0) progress?.Report(new ScanProgress(streamed.Count, total, clock.Elapsed));
        }
        progress?.Report(new ScanProgress(streamed.Count, streamed.Count, clock.Elapsed));
        if (streamed.Count == 0) throw new DatasetException(files[0], 0, null, "the dataset has no rows to score.", "add rows, or check the file is the one you meant.");
        // The length-controlled score compares each row with the whole dataset, so it is known only now.
        var scores = lengthControlled ? LengthControlledScore.Apply(streamed, options.Scoring.Neighbours) : streamed;
        if (lengthControlled)
        {
            foreach (var score in scores)
                if (score.IsScored) suspects.Offer(score, located[(int)score.Id].File, located[(int)score.Id].Line, texts[score.Id].Prompt, texts[score.Id].Response);
        }

        var (summary, verdicts) = DatasetSummary.Decide(scores, rule, options.Scoring.Probe.Rank);
        var rows = new ScanRow[scores.Count];
        for (var i = 0; i < rows.Length; i++)
            rows[i] = new ScanRow(located[i].File, located[i].Row, located[i].Line, located[i].Hash, scores[i], verdicts[i]);
        var passed = summary.Failed == 0 && summary.Passes(options.MaxPoisonFraction);
        return new ScanResult(files.ToList(), model.Directory, model.ContentHash(options.CacheDirectory is null ? null : Path.Combine(options.CacheDirectory, "file-hashes.json")),
            scorer.Probe.Name, options, summary, rows, suspects.HighestFirst(), passed, clock.Elapsed, scorer.CachedRows);
    }

    /// <summary>SHA-256 (hex, lower case) of a row's raw text.</summary>
    public static string HashRow(string rawLine) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rawLine ?? string.Empty)));

    /// <summary>Physical lines in the files: an upper bound on rows, good enough for an ETA.</summary>
    static long? CountRowsCheaply(IReadOnlyList<string> files)
    {
        try
        {
            long lines = 0;
            foreach (var file in files)
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                var buffer = new byte[1 << 16];
                int read;
                while ((read = stream.Read(buffer)) > 0) lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
            return lines;
        }
        catch (IOException)
        {
            return null; // the reader reports the real problem with file and line
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Keeps the N highest scores with their text (ties: earlier row first), in bounded memory.</summary>
    sealed class TopSuspectSet(int capacity)
    {
        readonly PriorityQueue<SuspectText, (double Score, long Id)> _heap = new(Comparer<(double Score, long Id)>.Create(
            (a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Id.CompareTo(a.Id)));

        public void Offer(SampleScore score, string file, long line, string prompt, string response)
        {
            if (capacity <= 0) return;
            var key = (score.Score, score.Id);
            var item = new SuspectText(file, line, score.Score, score.AnswerTokens, prompt, response);
            if (_heap.Count < capacity) _heap.Enqueue(item, key);
            else _heap.EnqueueDequeue(item, key);
        }

        public List<SuspectText> HighestFirst()
        {
            var list = new List<SuspectText>();
            while (_heap.Count > 0) list.Add(_heap.Dequeue());
            list.Reverse();
            return list;
        }
    }
}
