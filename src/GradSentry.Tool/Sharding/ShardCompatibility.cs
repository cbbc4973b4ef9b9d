using System.Globalization;
using System.Text.Json;
using GradSentry.Scanning;

namespace GradSentry.Tool.Sharding;

/// <summary>
/// Checks that shard results belong together before <c>merge</c> combines them: the same tool version, model, data
/// (files, row count and every block's content hash) and every option that changes a score or a verdict. A mismatch is
/// a <see cref="UsageException"/> naming the option and the shard files on each side.
/// </summary>
public static class ShardCompatibility
{
    /// <summary>One thing every shard must agree on: its name as the user knows it, its value in a shard, and the fix.</summary>
    sealed record Setting(string Name, Func<ShardResult, string> Value, string Fix);

    static readonly JsonSerializerOptions DetectorJson = new() { WriteIndented = false };

    static string Scan(string option) => $"scan every shard with the same {option}.";

    static readonly Setting[] Settings =
    [
        new("tool version", s => s.ToolVersion, "scan every shard with the same version of the tool."),
        new("--model", s => $"{s.Scored.ModelDirectory} (sha256 {Short(s.Scored.ModelHash)})", "scan every shard with the same model files."),
        new("--dtype", s => s.Scored.Options.DType is { } d ? ComputeDTypes.Name(d) : "unrecorded", "scan every shard with the same --dtype and device kind."),
        new("--target", s => s.Options.Target, Scan("--target")),
        new("--rank", s => Invariant(s.Options.Rank), Scan("--rank")),
        new("--slice", s => Invariant(s.Options.Slice), Scan("--slice")),
        new("--score", s => s.Options.Score, Scan("--score")),
        new("gradient method", s => s.Scored.ProbeName, "scan every shard with the same --target and tool version."),
        new("--batch-size", s => Invariant(s.Options.BatchSize), Scan("--batch-size")),
        new("--window", s => Invariant(s.Options.Window), Scan("--window")),
        new("--max-length", s => s.Options.MaxLength is { } m ? Invariant(m) : "the model's", Scan("--max-length")),
        new("--template", s => s.Options.TemplateContentHash is { } hash ? $"{s.Options.Template} (file, sha256 {Short(hash)})" : s.Options.Template,
            "scan every shard with the same --template (and the same template file content)."),
        new("--chat-template", s => s.Options.TemplateSource ?? "(not chat)", Scan("--chat-template")),
        new("--prompt-field", s => s.Options.PromptField ?? "(template default)", Scan("--prompt-field")),
        new("--response-field", s => s.Options.ResponseField ?? "(template default)", Scan("--response-field")),
        new("--messages-field", s => s.Options.MessagesField ?? "(template default)", Scan("--messages-field")),
        new("--role-field", s => s.Options.RoleField ?? "(template default)", Scan("--role-field")),
        new("--content-field", s => s.Options.ContentField ?? "(template default)", Scan("--content-field")),
        new("--input-format", s => s.Options.InputFormat ?? "(from the extension)", Scan("--input-format")),
        new("detector options", s => JsonSerializer.Serialize(s.Scored.Options.Association, DetectorJson), "scan every shard with the same detector options."),
        new("data files", s => string.Join(", ", s.Scored.Files), "scan the same files, in the same order, in every shard."),
        new("row count", s => Invariant(s.Scored.TotalRows), "the data changed between shards: scan every shard of the same, unchanged data."),
    ];

    /// <summary>
    /// Throws when the shards of <paramref name="paths"/> do not belong together. <c>--threshold</c> and
    /// <c>--max-poison-fraction</c> must agree too unless merge is given them (<paramref name="thresholdGiven"/>,
    /// <paramref name="maxPoisonFractionGiven"/>): then merge's value decides, and the shards' values are not used.
    /// </summary>
    /// <exception cref="UsageException">A setting or the data differs (the message names it and the shard files).</exception>
    public static void Check(IReadOnlyList<string> paths, IReadOnlyList<ShardResult> shards, bool thresholdGiven, bool maxPoisonFractionGiven)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(shards);
        if (paths.Count != shards.Count) throw new ArgumentException("one path per shard result is needed.", nameof(paths));
        var settings = Settings.ToList();
        if (!thresholdGiven)
            settings.Add(new("--threshold", s => s.Options.Threshold, "scan every shard with the same --threshold, or give merge the --threshold to use."));
        if (!maxPoisonFractionGiven)
            settings.Add(new("--max-poison-fraction", s => Invariant(s.Options.MaxPoisonFraction),
                "scan every shard with the same --max-poison-fraction, or give merge the --max-poison-fraction to use."));
        foreach (var setting in settings)
        {
            var values = shards.Select((s, i) => (Value: setting.Value(s), Path: paths[i])).GroupBy(x => x.Value, StringComparer.Ordinal).ToList();
            if (values.Count > 1)
                throw new UsageException(
                    $"the shard results do not belong together: {setting.Name} differs ({string.Join("; ", values.Select(g => $"{g.Key} in {string.Join(", ", g.Select(x => x.Path))}"))}); {setting.Fix}");
        }
        CheckData(paths, shards);
    }

    /// <summary>Every shard read every row: their block hashes must agree, or the data changed between shards.</summary>
    static void CheckData(IReadOnlyList<string> paths, IReadOnlyList<ShardResult> shards)
    {
        var first = shards[0].Scored;
        for (var i = 1; i < shards.Count; i++)
        {
            if (DatasetScanner.FirstDifferentBlock(first, shards[i].Scored) is not { } block) continue;
            var window = first.Options.Scoring.Window;
            var from = (long)block * window;
            var to = Math.Min(first.TotalRows, from + window) - 1;
            // The shard that scored the block knows where its first row is in the files.
            var at = shards.SelectMany(s => s.Scored.Rows).FirstOrDefault(r => r.GlobalIndex == from) is { } row
                ? string.Create(CultureInfo.InvariantCulture, $", from {row.File} line {row.Line}")
                : "";
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"the shard results do not belong together: the data changed between shards: rows {from} to {to}{at} (block {block} of --window {window} rows) read differently in {paths[0]} and {paths[i]}; scan every shard of the same, unchanged data."));
        }
    }

    static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    static string Invariant<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
