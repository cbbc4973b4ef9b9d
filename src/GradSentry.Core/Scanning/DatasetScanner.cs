using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GradSentry.Data;
using GradSentry.Detection;
using GradSentry.Scoring;
using GradSentry.Thresholds;
using GradSentry.Verdicts;

namespace GradSentry.Scanning;

/// <summary>
/// Reads dataset files, scores every row, fits the threshold on all scores and decides. The one
/// orchestration the CLI, the lab and the build gate share. Scoring (<see cref="Score"/>) and deciding
/// (<see cref="Decide"/>) are separate steps so that a scan can be split into shards and merged.
/// </summary>
public static class DatasetScanner
{
    /// <summary>Scans <paramref name="files"/> with <paramref name="options"/>: <see cref="Score"/> then <see cref="Decide"/>.</summary>
    /// <exception cref="DatasetException">A file is missing or malformed (message names file and line); nothing was decided.</exception>
    /// <exception cref="IOException">The model cannot be loaded (message names file and tensor).</exception>
    /// <exception cref="ArgumentException">An impossible option, or <see cref="ScanOptions.Shard"/> is set (a shard cannot be decided alone).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; rows already probed are in the cache.</exception>
    public static ScanResult Run(IReadOnlyList<string> files, ScanOptions options, IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Shard is { Count: > 1 })
            throw new ArgumentException("a sharded scan has no threshold of its own: score the shards with Score and merge them with Combine and Decide.", nameof(options));
        return Decide(Score(files, options, progress, cancellationToken));
    }

    /// <summary>
    /// Reads every row of <paramref name="files"/> and scores those of <see cref="ScanOptions.Shard"/> (all when null).
    /// No threshold is fitted.
    /// </summary>
    /// <exception cref="DatasetException">A file is missing or malformed (message names file and line).</exception>
    /// <exception cref="ModelLoadException">The model cannot be loaded (the message names the file and tensor).</exception>
    /// <exception cref="ArgumentException">An impossible option.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; rows already probed are in the cache.</exception>
    public static ScoredDataset Score(IReadOnlyList<string> files, ScanOptions options, IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        Validate(files, options);

        var capabilities = ScoreKinds.Capabilities(options.Scoring.Score);
        var wholeDataset = capabilities.WholeDataset;
        var keepWords = options.Scoring.Score == ScoreKind.TriggerConditional;
        using var model = LoadModel(options);
        if (model.Model.MemoryPlan is { } plan)
            progress?.Report(new ScanProgress(0, null, TimeSpan.Zero) { Note = "model: " + plan.Reason });
        using var cache = options.CacheDirectory is null || !capabilities.Cacheable ? null : model.OpenCache(options.CacheDirectory, options.Scoring.Probe);
        using var scorer = model.CreateRowScorer(options.Scoring, options.MaxLength, cache);

        var shard = options.Shard;
        var located = new Dictionary<long, (string File, long Row, long Line, string Hash, string Prompt, string Response)>();
        var suspects = new TopSuspectSet(options.TopSuspects);
        var clock = Stopwatch.StartNew();
        var total = CountRowsCheaply(files);
        var block = options.Scoring.Window;
        if (shard is not null && total is { } t) total = Enumerable.Range(0, (int)Math.Min(int.MaxValue, (t + block - 1) / block)).Where(b => b % shard.Count == shard.Index)
            .Sum(b => Math.Min(block, t - (long)b * block));
        long globalRows = 0;
        using var blocks = new DataBlockHasher(block);
        var inputs = SampleReader.Read(files, options.Reader).Select(row => (Row: row, Index: globalRows++, Hash: HashRow(row.RawLine)))
            .Select(x =>
            {
                // Every row, this shard's or not: shards that read different data must not be merged.
                blocks.Add(x.Hash);
                return x;
            })
            .Where(x => shard is null || shard.Contains(x.Index, block))
            .Select(x =>
            {
                located[x.Index] = (x.Row.File, x.Row.Row, x.Row.Line, x.Hash, x.Row.Prompt, x.Row.Response);
                return new ScoringInput(x.Index, x.Row.Prompt, x.Row.Response);
            });

        var rows = new List<ScoredRow>();
        foreach (var score in scorer.Score(inputs, cancellationToken))
        {
            var at = located[score.Id];
            located.Remove(score.Id);
            rows.Add(new ScoredRow(score.Id, at.File, at.Row, at.Line, at.Hash, score) { Words = keepWords ? AssociationWords.Of(at.Prompt, at.Response) : null });
            // A per-row score is final: keep only the top suspects' text. Scores that compare rows are known only at the end.
            if (!wholeDataset && score.IsScored) suspects.Offer(score, at.File, at.Line, at.Prompt, at.Response);
            if (rows.Count % 64 == 0) progress?.Report(new ScanProgress(rows.Count, total, clock.Elapsed));
        }
        // Rows after the last one of this shard are read too: the total must count them all.
        progress?.Report(new ScanProgress(rows.Count, rows.Count, clock.Elapsed));
        if (globalRows == 0) throw new DatasetException(files[0], 0, null, "the dataset has no rows to score.", "add rows, or check the file is the one you meant.");

        var scored = new ScoredDataset(files.ToList(), model.Directory,
            model.ContentHash(options.CacheDirectory is null ? null : Path.Combine(options.CacheDirectory, "file-hashes.json")),
            scorer.Method, options with { DType = model.Model.ComputeDType }, globalRows, rows, suspects.HighestFirst(), clock.Elapsed, scorer.CachedRows)
        {
            BlockHashes = blocks.Blocks(),
        };
        // A shard of a whole-dataset score keeps its rows' features; merge runs the dataset step (Combine).
        return wholeDataset && shard is null ? WithDatasetStep(scored) : scored;
    }

    /// <summary>
    /// Runs the dataset step of a score that compares rows (<see cref="ScoreCapabilities.WholeDataset"/>) on every row of
    /// <paramref name="scored"/>, then reads the top suspects' text back from the files (a second pass over the data, so
    /// no row's text is held while scoring; a row whose text changed since it was scored is an error).
    /// </summary>
    static ScoredDataset WithDatasetStep(ScoredDataset scored)
    {
        var options = scored.Options;
        var rows = scored.Rows;
        AssociationOutcome? outcome = null;
        IReadOnlyList<SampleScore> final;
        if (options.Scoring.Score == ScoreKind.TriggerConditional)
        {
            var inputs = new AssociationInputs();
            foreach (var row in rows)
                inputs.Add(row.Score, row.Words ?? throw new ArgumentException($"row {row.GlobalIndex} ({row.File} line {row.Line}) carries no words for the trigger-conditional verdict; scan it again with this version."));
            (final, outcome) = inputs.Decide(rows.Select(r => r.Score).ToList(), options.Association);
        }
        else
        {
            final = LengthControlledScore.Apply(rows.Select(r => r.Score).ToList(), options.Scoring.Neighbours);
        }
        var decided = rows.Select((r, i) => r with { Score = final[i] with { Sketch = null }, Words = null }).ToList();
        return scored with { Rows = decided, TopSuspects = ReadSuspects(scored.Files, options.Reader, decided, options.TopSuspects), Association = outcome };
    }

    /// <summary>The <paramref name="count"/> highest-scoring rows (ties: earlier row first) with their text, highest first.</summary>
    static List<RankedSuspect> ReadSuspects(IReadOnlyList<string> files, ReaderOptions reader, IReadOnlyList<ScoredRow> rows, int count)
    {
        var top = rows.Where(r => r.Score.IsScored).OrderByDescending(r => r.Score.Score).ThenBy(r => r.GlobalIndex).Take(Math.Max(0, count)).ToList();
        if (top.Count == 0) return [];
        var wanted = top.ToDictionary(r => r.GlobalIndex);
        var text = new Dictionary<long, (string Prompt, string Response)>();
        long index = 0;
        foreach (var row in SampleReader.Read(files, reader))
        {
            if (wanted.TryGetValue(index, out var scoredRow))
            {
                if (HashRow(row.RawLine) != scoredRow.RowHash)
                    throw new DatasetException(row.File, row.Line, null, "the row changed after it was scored.", "scan the dataset again; do not edit it while a scan or its shards are running.");
                text[index] = (row.Prompt, row.Response);
                if (text.Count == wanted.Count) break;
            }
            index++;
        }
        if (text.Count != wanted.Count)
            throw new DatasetException(files[^1], 0, null, "the dataset has fewer rows than when it was scored.", "scan the dataset again; do not edit it while a scan or its shards are running.");
        return top.Select(r => new RankedSuspect(r.GlobalIndex, new SuspectText(r.File, r.Line, r.Score.Score, r.Score.AnswerTokens, text[r.GlobalIndex].Prompt, text[r.GlobalIndex].Response))).ToList();
    }

    /// <summary>
    /// Combines the scores of shards that together cover every row exactly once into one dataset, in global order.
    /// The result decides exactly as an unsharded scan of the same files and options.
    /// </summary>
    /// <exception cref="ArgumentException">The parts disagree on files, model or scoring options, or do not cover every row exactly once (the message says which).</exception>
    public static ScoredDataset Combine(IReadOnlyList<ScoredDataset> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("no shard results were given.", nameof(parts));
        var first = parts[0];
        foreach (var part in parts.Skip(1))
        {
            if (!part.Files.SequenceEqual(first.Files, StringComparer.Ordinal))
                throw new ArgumentException($"the shards scanned different files ({string.Join(", ", first.Files)} vs {string.Join(", ", part.Files)}).", nameof(parts));
            if (part.ModelHash != first.ModelHash)
                throw new ArgumentException($"the shards used different models ({first.ModelDirectory} {first.ModelHash[..12]} vs {part.ModelDirectory} {part.ModelHash[..12]}).", nameof(parts));
            if (part.Options.DType != first.Options.DType)
                throw new ArgumentException(
                    $"the shards computed in different dtypes ({Describe(first.Options.DType)} vs {Describe(part.Options.DType)}); scan every shard with the same --dtype and device kind.",
                    nameof(parts));
            if (part.Options.Scoring.Score != first.Options.Scoring.Score)
                throw new ArgumentException(
                    $"the shards were scored by different detectors ({ScoreKinds.Name(first.Options.Scoring.Score)} vs {ScoreKinds.Name(part.Options.Scoring.Score)}); scan every shard with the same --score.", nameof(parts));
            if (part.ProbeName != first.ProbeName || part.Options.Scoring != first.Options.Scoring || part.Options.MaxLength != first.Options.MaxLength)
                throw new ArgumentException("the shards used different scoring options (target, rank, slice, batching or maximum length).", nameof(parts));
            if (part.TotalRows != first.TotalRows)
                throw new ArgumentException($"the shards read different row counts ({first.TotalRows} vs {part.TotalRows}); the data changed between shards.", nameof(parts));
            if (FirstDifferentBlock(first, part) is { } b)
            {
                var window = first.Options.Scoring.Window;
                throw new ArgumentException(
                    $"the shards read different data in rows {(long)b * window} to {Math.Min(first.TotalRows, (long)(b + 1) * window) - 1} (block {b} of {window} rows); the data changed between shards. Scan every shard of the same, unchanged data.",
                    nameof(parts));
            }
        }
        var rows = new ScoredRow?[first.TotalRows];
        foreach (var part in parts)
            foreach (var row in part.Rows)
            {
                if (row.GlobalIndex < 0 || row.GlobalIndex >= rows.Length)
                    throw new ArgumentException($"a shard holds row {row.GlobalIndex}, outside the dataset's {rows.Length} rows.", nameof(parts));
                if (rows[row.GlobalIndex] is not null)
                    throw new ArgumentException($"row {row.GlobalIndex} ({row.File} line {row.Line}) is in more than one shard; give each shard once.", nameof(parts));
                rows[row.GlobalIndex] = row;
            }
        var missing = Array.FindIndex(rows, r => r is null);
        if (missing >= 0)
            throw new ArgumentException($"row {missing} is in no shard ({rows.Count(r => r is null)} rows missing); give every shard's result.", nameof(parts));
        var suspects = parts.SelectMany(p => p.TopSuspects)
            .OrderByDescending(s => s.Text.Score).ThenBy(s => s.GlobalIndex)
            .Take(first.Options.TopSuspects).ToList();
        var combined = first with
        {
            Options = first.Options with { Shard = null },
            Rows = rows!,
            TopSuspects = suspects,
            Elapsed = TimeSpan.FromTicks(parts.Max(p => p.Elapsed.Ticks)),
            RowsFromCache = parts.Sum(p => p.RowsFromCache),
        };
        return ScoreKinds.Capabilities(first.Options.Scoring.Score).WholeDataset ? WithDatasetStep(combined) : combined;
    }

    /// <summary>
    /// The first block whose content hash differs between <paramref name="a"/> and <paramref name="b"/>, or null when they
    /// agree (or either has no block hashes). Different block counts differ at the first block one of them lacks.
    /// </summary>
    public static int? FirstDifferentBlock(ScoredDataset a, ScoredDataset b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.BlockHashes is not { } x || b.BlockHashes is not { } y) return null;
        for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
            if (!string.Equals(x[i], y[i], StringComparison.Ordinal)) return i;
        return x.Count == y.Count ? null : Math.Min(x.Count, y.Count);
    }

    /// <summary>Fits the threshold on every score of <paramref name="scored"/> and decides each row and the gate.</summary>
    /// <exception cref="ArgumentException">The dataset is one shard of several (merge the shards first).</exception>
    public static ScanResult Decide(ScoredDataset scored)
    {
        ArgumentNullException.ThrowIfNull(scored);
        if (scored.Rows.Count != scored.TotalRows)
            throw new ArgumentException($"only {scored.Rows.Count} of {scored.TotalRows} rows are scored (one shard); combine all shards before deciding.", nameof(scored));
        var options = scored.Options;
        var scores = scored.Rows.Select(r => r.Score).ToList();
        var own = ScoreKinds.Capabilities(options.Scoring.Score).OwnThreshold && ThresholdRule.IsAuto(options.Threshold);
        IThresholdRule rule = own && options.Scoring.Score == ScoreKind.Onion ? new FixedThreshold(Onion.FlagAbove, ThresholdMethods.OnionDropBar)
            : own && scored.Association is { Verdict: not null } ? new FixedThreshold(TriggerAssociation.FlagAbove, ThresholdMethods.TriggerAssociation)
            : ThresholdRule.Parse(options.Threshold);
        var (summary, verdicts) = DatasetSummary.Decide(scores, rule, options.Scoring.Probe.Rank);
        if (scored.Association is { Verdict: null })
            summary = summary with { Threshold = summary.Threshold with { Method = $"{ThresholdMethods.FallbackTriggerAssociationSmallN}, then {summary.Threshold.Method}" } };
        var rows = new ScanRow[scores.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var r = scored.Rows[i];
            rows[i] = new ScanRow(r.File, r.Row, r.Line, r.RowHash, r.Score, verdicts[i]);
        }
        return new ScanResult(scored.Files, scored.ModelDirectory, scored.ModelHash, scored.ProbeName, options, summary, rows,
            scored.TopSuspects.Select(s => s.Text).ToList(), scored.Elapsed, scored.RowsFromCache)
        {
            Association = scored.Association,
        };
    }

    static string Describe(TorchSharp.torch.ScalarType? dtype) => dtype is { } d ? ComputeDTypes.Name(d) : "unrecorded";

    /// <summary>SHA-256 (hex, lower case) of a row's raw text.</summary>
    public static string HashRow(string rawLine) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rawLine ?? string.Empty)));

    static GradSentryModel LoadModel(ScanOptions options)
    {
        try
        {
            return GradSentryModel.Load(options.ModelDirectory, options.Device, options.DType, options.AdapterDirectory);
        }
        catch (Exception ex) when (ex is (IOException and not DatasetException) or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            throw new ModelLoadException(options.ModelDirectory, ex.Message, ex);
        }
    }

    static void Validate(IReadOnlyList<string> files, ScanOptions options)
    {
        if (files.Count == 0) throw new ArgumentException("no dataset files were given.", nameof(files));
        if (!(options.MaxPoisonFraction is >= 0 and <= 1))
            throw new ArgumentException($"max poison fraction must be in [0, 1] (got {options.MaxPoisonFraction}).", nameof(options));
        if (options.Shard is { } s && !(s.Count >= 1 && s.Index >= 0 && s.Index < s.Count))
            throw new ArgumentException($"shard {s.Index}/{s.Count} is impossible; use {ScanShard.Syntax}.", nameof(options));
        ThresholdRule.Parse(options.Threshold);
        options.Scoring.Validate();
        if (options.Shard is not null && !ScoreKinds.Capabilities(options.Scoring.Score).Shardable)
            throw new ArgumentException($"the {ScoreKinds.Name(options.Scoring.Score)} score compares every row with the whole dataset, so it cannot be computed per shard; scan without --shard, or use --score reference.", nameof(options));
        options.Association.Validate();
    }

    /// <summary>Physical lines in the files: an upper bound on rows, good enough for an ETA.</summary>
    static long? CountRowsCheaply(IReadOnlyList<string> files)
    {
        try
        {
            long lines = 0;
            foreach (var file in files)
            {
                using var stream = GradSentry.IO.RegularFile.OpenRead(file, GradSentry.IO.RegularFile.Unlimited, 1 << 16, FileOptions.SequentialScan);
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
        readonly PriorityQueue<RankedSuspect, (double Score, long Id)> _heap = new(Comparer<(double Score, long Id)>.Create(
            (a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Id.CompareTo(a.Id)));

        public void Offer(SampleScore score, string file, long line, string prompt, string response)
        {
            if (capacity <= 0) return;
            var key = (score.Score, score.Id);
            var item = new RankedSuspect(score.Id, new SuspectText(file, line, score.Score, score.AnswerTokens, prompt, response));
            if (_heap.Count < capacity) _heap.Enqueue(item, key);
            else _heap.EnqueueDequeue(item, key);
        }

        public List<RankedSuspect> HighestFirst()
        {
            var list = new List<RankedSuspect>();
            while (_heap.Count > 0) list.Add(_heap.Dequeue());
            list.Reverse();
            return list;
        }
    }
}
