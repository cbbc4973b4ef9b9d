using System.Text.Json;
using GradSentry.Data;
using GradSentry.Detection;
using GradSentry.Scanning;
using GradSentry.Scoring;
using GradSentry.Tool.Reports;

namespace GradSentry.Tool.Sharding;

/// <summary>
/// The file a <c>scan --shard i/n</c> writes: the raw scores of its rows (no threshold decision), the files, model and
/// options, and its top suspects. <c>merge</c> reads every shard's file, checks they fit together, and decides.
/// Numbers are written in shortest round-trip form, so a merge sees exactly the scores the shard computed.
/// </summary>
public sealed class ShardResult
{
    /// <summary>The <c>kind</c> written in every shard file.</summary>
    public const string Kind = "gradsentry-shard";

    /// <summary>The format version (2: block content hashes, chat field mapping, template file hash and detector options).</summary>
    public const int FormatVersion = 2;

    /// <summary>The largest shard result read, in bytes: below 2 GiB, what one JSON document can hold.</summary>
    public const long MaxBytes = int.MaxValue - (1 << 20);

    /// <summary>Wraps a shard's scores.</summary>
    public ShardResult(ScoredDataset scored, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(scored);
        ArgumentNullException.ThrowIfNull(options);
        Scored = scored;
        Options = options;
    }

    ShardResult(ScoredDataset scored, ReportOptions options, string toolVersion)
        : this(scored, options) => ToolVersion = toolVersion;

    /// <summary>The version of the tool that scored the shard.</summary>
    public string ToolVersion { get; } = ScanReport.ToolVersion;

    /// <summary>The scores.</summary>
    public ScoredDataset Scored { get; }

    /// <summary>The options as the user gave them.</summary>
    public ReportOptions Options { get; }

    /// <summary>Writes the shard file.</summary>
    public void Write(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var s = Scored;
        var shard = s.Options.Shard ?? new ScanShard(0, 1);
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteString("kind", Kind);
        w.WriteNumber("version", FormatVersion);
        w.WriteString("toolVersion", ScanReport.ToolVersion);
        w.WriteStartObject("shard");
        w.WriteNumber("index", shard.Index);
        w.WriteNumber("count", shard.Count);
        w.WriteEndObject();
        w.WriteStartArray("files");
        foreach (var file in s.Files) w.WriteStringValue(file);
        w.WriteEndArray();
        ModelJson.Write(w, s.ModelDirectory, s.ModelHash, s.ProbeName, s.Options.DType);
        w.WritePropertyName("options");
        JsonSerializer.Serialize(w, Options, ShardJson.Options);
        w.WriteNumber("topSuspects", s.Options.TopSuspects);
        // The detector's own options decide verdicts too: merge runs the dataset step with them.
        w.WritePropertyName("detector");
        JsonSerializer.Serialize(w, s.Options.Association, ShardJson.Options);
        w.WriteNumber("totalRows", s.TotalRows);
        // Every block's content hash, this shard's or not: merge refuses shards that read different data.
        w.WriteStartArray("blocks");
        foreach (var hash in s.BlockHashes ?? []) w.WriteStringValue(hash);
        w.WriteEndArray();
        w.WriteStartArray("rows");
        foreach (var row in s.Rows)
        {
            var score = row.Score;
            w.WriteStartObject();
            w.WriteNumber("i", row.GlobalIndex);
            w.WriteString("file", row.File);
            w.WriteNumber("row", row.Row);
            w.WriteNumber("line", row.Line);
            w.WriteString("rowHash", row.RowHash);
            ShardJson.Number(w, "score", score.Score);
            w.WriteNumber("answerTokens", score.AnswerTokens);
            ShardJson.Number(w, "loss", score.Loss);
            ShardJson.Number(w, "gradientNorm", score.GradientNorm);
            w.WriteStartArray("singularValues");
            foreach (var v in score.SingularValues) w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteNumber("promptTokensDropped", score.PromptTokensDropped);
            if (score.Error is not null) w.WriteString("error", score.Error);
            if (score.NotExamined is not null) w.WriteString("notExamined", score.NotExamined);
            if (double.IsFinite(score.PromptPerplexity)) w.WriteNumber("promptPerplexity", score.PromptPerplexity);
            if (score.TriggerCandidates is { } candidates)
            {
                w.WriteStartArray("triggerCandidates");
                foreach (var c in candidates)
                {
                    w.WriteStartObject();
                    w.WriteString("word", c.Word);
                    w.WriteNumber("suspicion", c.Suspicion);
                    w.WriteNumber("drop", c.Drop);
                    w.WriteNumber("rows", c.Rows);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            // What merge needs for a score that compares rows: the gradient sketch and the row's words.
            if (score.Sketch is { } sketch) w.WriteBase64String("sketch", System.Runtime.InteropServices.MemoryMarshal.AsBytes(sketch.AsSpan()));
            if (row.Words is { } words)
            {
                w.WriteStartArray("promptWords");
                foreach (var word in words.Prompt) w.WriteStringValue(word);
                w.WriteEndArray();
                w.WriteStartArray("answerWords");
                foreach (var word in words.Answer) w.WriteStringValue(word);
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.Flush();
        }
        w.WriteEndArray();
        w.WriteStartArray("suspects");
        foreach (var suspect in s.TopSuspects)
        {
            w.WriteStartObject();
            w.WriteNumber("i", suspect.GlobalIndex);
            w.WriteString("file", suspect.Text.File);
            w.WriteNumber("line", suspect.Text.Line);
            w.WriteNumber("score", suspect.Text.Score);
            w.WriteNumber("answerTokens", suspect.Text.AnswerTokens);
            w.WriteString("prompt", suspect.Text.Prompt);
            w.WriteString("response", suspect.Text.Response);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("timing");
        w.WriteNumber("elapsedSeconds", s.Elapsed.TotalSeconds);
        w.WriteNumber("rowsFromCache", s.RowsFromCache);
        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
    }

    /// <summary>The field mapping of <paramref name="options"/>, or null when every field is the template's default.</summary>
    static TemplateOptions? Fields(ReportOptions options)
    {
        var fields = new TemplateOptions
        {
            PromptField = options.PromptField,
            ResponseField = options.ResponseField,
            MessagesField = options.MessagesField,
            RoleField = options.RoleField,
            ContentField = options.ContentField,
        };
        return fields == new TemplateOptions() ? null : fields;
    }

    static float[] Sketch(byte[] bytes)
    {
        if (bytes.Length % sizeof(float) != 0) throw new FormatException("a row's sketch is not a whole number of float32 values.");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>Reads a shard file.</summary>
    /// <exception cref="UsageException">The file is missing or not a shard result (the message says why).</exception>
    public static ShardResult Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // Only a regular file of a sane size: a FIFO would block, /dev/zero never ends, a huge file would exhaust memory.
        if (GradSentry.IO.RegularFile.Problem(path, MaxBytes) is { } problem && File.Exists(path))
            throw new UsageException($"{path}: {problem}");
        try
        {
            using var stream = GradSentry.IO.RegularFile.OpenRead(path, MaxBytes, 1 << 16, FileOptions.SequentialScan);
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var kind) || kind.GetString() != Kind)
                throw new UsageException($"{path}: not a GradSentry shard result (write one with 'scan --shard i/n --output FILE').");
            if (root.GetProperty("version").GetInt32() != FormatVersion)
                throw new UsageException($"{path}: shard format version {root.GetProperty("version")} is not supported (this tool reads {FormatVersion}); scan the shard again with this version.");
            var shardElement = root.GetProperty("shard");
            var shard = new ScanShard(shardElement.GetProperty("index").GetInt32(), shardElement.GetProperty("count").GetInt32());
            var options = root.GetProperty("options").Deserialize<ReportOptions>(ShardJson.Options)
                          ?? throw new UsageException($"{path}: the shard result has no options.");
            var model = root.GetProperty("model");
            var scoreKind = ScoreKinds.Parse(options.Score);
            var rows = new List<ScoredRow>();
            foreach (var r in root.GetProperty("rows").EnumerateArray())
            {
                var i = r.GetProperty("i").GetInt64();
                var error = r.TryGetProperty("error", out var e) ? e.GetString() : null;
                var score = new SampleScore(i, ShardJson.Double(r, "score"), r.GetProperty("answerTokens").GetInt32(), ShardJson.Double(r, "loss"),
                    ShardJson.Double(r, "gradientNorm"), r.GetProperty("singularValues").EnumerateArray().Select(v => v.GetDouble()).ToList(),
                    r.GetProperty("promptTokensDropped").GetInt32(), false, error)
                {
                    // A shard of a gradient detector holds reference scores (a dataset step, if any, runs at merge); ONION's are final.
                    Kind = scoreKind == ScoreKind.Onion ? ScoreKind.Onion : ScoreKind.Reference,
                    ReferenceScore = scoreKind == ScoreKind.Onion ? double.NaN : ShardJson.Double(r, "score"),
                    NotExamined = r.TryGetProperty("notExamined", out var notExamined) ? notExamined.GetString() : null,
                    PromptPerplexity = r.TryGetProperty("promptPerplexity", out var perplexity) ? perplexity.GetDouble() : double.NaN,
                    TriggerCandidates = r.TryGetProperty("triggerCandidates", out var candidates)
                        ? candidates.EnumerateArray().Select(c => new WordSuspicion(c.GetProperty("word").GetString()!, c.GetProperty("suspicion").GetDouble(), c.GetProperty("drop").GetDouble(), c.GetProperty("rows").GetInt32())).ToList()
                        : null,
                    Sketch = r.TryGetProperty("sketch", out var sketch) ? Sketch(sketch.GetBytesFromBase64()) : null,
                };
                var words = r.TryGetProperty("promptWords", out var prompt) && r.TryGetProperty("answerWords", out var answer)
                    ? new AssociationWords(prompt.EnumerateArray().Select(x => x.GetString()!).ToList(), answer.EnumerateArray().Select(x => x.GetString()!).ToList())
                    : null;
                rows.Add(new ScoredRow(i, r.GetProperty("file").GetString()!, r.GetProperty("row").GetInt64(), r.GetProperty("line").GetInt64(),
                    r.GetProperty("rowHash").GetString()!, score) { Words = words });
            }
            var suspects = root.GetProperty("suspects").EnumerateArray().Select(x => new RankedSuspect(x.GetProperty("i").GetInt64(),
                new SuspectText(x.GetProperty("file").GetString()!, x.GetProperty("line").GetInt64(), x.GetProperty("score").GetDouble(),
                    x.GetProperty("answerTokens").GetInt32(), x.GetProperty("prompt").GetString()!, x.GetProperty("response").GetString()!))).ToList();
            var timing = root.GetProperty("timing");
            var scanOptions = new ScanOptions
            {
                ModelDirectory = options.Model,
                Device = options.Device,
                DType = model.TryGetProperty("dtype", out var dtype) && dtype.GetString() is { } name ? ComputeDTypes.Parse(name) : null,
                MaxLength = options.MaxLength,
                Threshold = options.Threshold,
                MaxPoisonFraction = options.MaxPoisonFraction,
                Shard = shard,
                TopSuspects = root.GetProperty("topSuspects").GetInt32(),
                Reader = new ReaderOptions
                {
                    Format = options.InputFormat is { } format ? SampleReader.ParseFormat(format) : null,
                    Template = PromptTemplates.Resolve(options.Template, Fields(options)),
                },
                Association = root.GetProperty("detector").Deserialize<TriggerAssociationOptions>(ShardJson.Options)
                              ?? throw new UsageException($"{path}: the shard result has no detector options."),
                Scoring = new ScoringOptions
                {
                    Score = scoreKind,
                    Onion = new OnionOptions { MaxDeletions = options.OnionMaxDeletions },
                    BatchSize = options.BatchSize,
                    Window = options.Window,
                    Probe = new ProbeOptions { TargetParameter = options.Target, Rank = options.Rank, SliceFactor = options.Slice },
                },
            };
            var scored = new ScoredDataset(root.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList(),
                model.GetProperty("path").GetString()!, model.GetProperty("contentHash").GetString()!, model.GetProperty("probe").GetString()!,
                scanOptions, root.GetProperty("totalRows").GetInt64(), rows, suspects,
                TimeSpan.FromSeconds(timing.GetProperty("elapsedSeconds").GetDouble()), timing.GetProperty("rowsFromCache").GetInt64())
            {
                BlockHashes = root.GetProperty("blocks").EnumerateArray().Select(b => b.GetString()!).ToList(),
            };
            return new ShardResult(scored, options, root.GetProperty("toolVersion").GetString()!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: the shard result cannot be read ({ex.Message}).", ex);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new UsageException($"{path}: not a valid shard result ({ex.Message.Split(" LineNumber:")[0]}).", ex);
        }
    }
}
