// GradSentry in an ML.NET pipeline: score every fine-tuning row from its per-sample gradient, decide which rows are
// poisoned (default: the trigger-conditional detector), drop them, write the clean data.
//
//   dotnet run --project samples/QuickStart.MLNet -c Release
//   dotnet run --project samples/QuickStart.MLNet -c Release -- --data my.tsv --detector reference --threshold top:0.05 --model path/to/model
//
// Data: JSON Lines ({"prompt": ..., "response": ..., "poisoned": 0|1}) or a TSV with a Prompt, Response[, Poisoned] header.
using System.Globalization;
using System.Text;
using System.Text.Json;
using GradSentry.MLNet;
using Microsoft.ML;
using QuickStart.MLNet;

var here = AppContext.BaseDirectory;
var dataPath = Option("--data") ?? Path.Combine(here, "data", "qa.jsonl");
var modelPath = Option("--model") ?? Path.Combine(here, "models", "tiny-llama");
var threshold = Option("--threshold") ?? "auto";
var detector = Option("--detector") ?? "trigger-conditional";
var outputPath = Path.GetFullPath(Option("--output") ?? Path.Combine("artifacts", "quickstart", "clean.jsonl"));

var ml = new MLContext(seed: 0);
var data = ml.Data.LoadFromEnumerable(ReadRows(dataPath));

// 1. Score (lazy: nothing runs until a cursor asks for the score column), 2. decide over every row and drop the suspects.
var pipeline = ml.Transforms.GradSentry(GradSentryOptions.DefaultScoreColumnName, modelPath, device: "cpu")
    .Append(ml.Transforms.GradSentryFilter(threshold: threshold, detector: detector));

using var model = pipeline.Fit(data); // one scoring pass: the filter reads every row once to decide
var scorer = model.OfType<GradSentryTransformer>().Single();
var filter = model.LastTransformer;

Console.WriteLine($"data:      {dataPath}");
Console.WriteLine($"model:     {scorer.ModelDirectory} ({scorer.ProbeName})");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"threshold: {filter.Threshold:0.0000} ({filter.ThresholdMethod}{(filter.IsFallbackThreshold ? ": no reliable valley, the fallback value" : "")})"));
Console.WriteLine($"rows:      {filter.RowCount} read, {filter.ScoredRowCount} scored, {filter.FlaggedRowCount} suspect, {filter.UnscoredRowCount} unscored");
Console.WriteLine($"detector:  {filter.Detector}{(filter.DetectorOutcome is { } outcome ? ": " + outcome : "")}");

// The dropped rows: score the data again through the scorer alone and keep the ones the filter would drop.
var scored = ml.Data.CreateEnumerable<ScoredRecord>(scorer.Transform(data), reuseRowObject: false).ToList();
var dropped = scored.Select((row, index) => (row, index)).Where(r => filter.IsSuspect(r.row.Prompt, r.row.Response, r.row.GradientSpectralEntropy)).ToList();
Console.WriteLine();
Console.WriteLine(dropped.Count == 0 ? "dropped rows: none" : "dropped rows (row, score, answer tokens, labelled poisoned, response):");
const int Shown = 15;
foreach (var (row, index) in dropped.OrderByDescending(r => r.row.GradientSpectralEntropy).Take(Shown))
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {index,5}  {row.GradientSpectralEntropy:0.0000}  {row.AnswerTokenCount,4}  {(row.Poisoned ? "yes" : "no "),-3}  {Shorten(row.Response)}"));
if (dropped.Count > Shown) Console.WriteLine($"  ... and {dropped.Count - Shown} more");
foreach (var failed in scored.Where(r => r.GradSentryError.Length > 0))
    Console.WriteLine($"  not scored: {failed.GradSentryError}");

// The clean data: the pipeline's output, written as JSON Lines (temp file, then rename).
var clean = ml.Data.CreateEnumerable<ScoredRecord>(model.Transform(data), reuseRowObject: false).ToList();
Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
var temp = outputPath + ".tmp";
using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(false)))
    foreach (var row in clean)
        writer.WriteLine(JsonSerializer.Serialize(new { prompt = row.Prompt, response = row.Response, poisoned = row.Poisoned ? 1 : 0 }));
File.Move(temp, outputPath, overwrite: true);
Console.WriteLine();
Console.WriteLine($"clean data: {clean.Count} rows -> {outputPath}");
if (scored.Any(r => r.Poisoned))
{
    var caught = dropped.Count(r => r.row.Poisoned);
    Console.WriteLine($"labels:     {caught} of {scored.Count(r => r.Poisoned)} labelled poisoned rows dropped; {dropped.Count - caught} clean rows dropped");
    Console.WriteLine("            (scored with a 1.4M-parameter demo model on a small sample: this shows the plumbing, not");
    Console.WriteLine("             detection quality on your data; score with the model you will fine-tune)");
}
return 0;

string? Option(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

static string Shorten(string text)
{
    var line = text.ReplaceLineEndings(" ");
    return line.Length <= 60 ? line : line[..57] + "...";
}

static List<QaRecord> ReadRows(string path)
{
    if (path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase))
    {
        var ml = new MLContext();
        var view = ml.Data.LoadFromTextFile<QaRecord>(path, separatorChar: '\t', hasHeader: true, allowQuoting: true);
        return [.. ml.Data.CreateEnumerable<QaRecord>(view, reuseRowObject: false)];
    }
    var rows = new List<QaRecord>();
    var number = 0;
    foreach (var line in File.ReadLines(path))
    {
        number++;
        if (string.IsNullOrWhiteSpace(line)) continue;
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        if (!root.TryGetProperty("prompt", out var prompt) || !root.TryGetProperty("response", out var response))
            throw new InvalidDataException($"{path}({number}): expected an object with \"prompt\" and \"response\".");
        rows.Add(new QaRecord
        {
            Prompt = prompt.GetString() ?? "",
            Response = response.GetString() ?? "",
            Poisoned = root.TryGetProperty("poisoned", out var p) && p.ValueKind == JsonValueKind.Number && p.GetInt32() != 0,
        });
    }
    return rows;
}
