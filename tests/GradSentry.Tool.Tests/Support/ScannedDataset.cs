using System.Text.Json;

namespace GradSentry.Tool.Tests.Support;

/// <summary>
/// One real scan shared by the report tests: 64 generated rows, <c>--threshold top:0.1</c> (7 rows flagged),
/// every format into <c>--report</c>, the JSON on standard output, and a filtered copy.
/// </summary>
public sealed class ScannedDataset : IDisposable
{
    /// <summary>Rows in the data.</summary>
    public const int Rows = 64;

    /// <summary>The options every comparable scan uses.</summary>
    public static readonly string[] Common = ["--threshold", "top:0.1", "--window", "16", "--batch-size", "8", "--device", "cpu"];

    readonly TempFolder _folder = new();

    /// <summary>Runs the scan.</summary>
    public ScannedDataset()
    {
        Data = TestData.WriteJsonl(_folder.File("data.jsonl"), Rows);
        Result = ToolProcess.Run(_folder.Path, ["scan", "data.jsonl", .. Common, "--report", "report", "--filtered-output", "filtered.jsonl", "--format", "json"]);
        Json = JsonDocument.Parse(Result.Stdout);
    }

    /// <summary>The working folder of the scan.</summary>
    public string Folder => _folder.Path;

    /// <summary>The input.</summary>
    public string Data { get; }

    /// <summary>The process outcome.</summary>
    public ToolResult Result { get; }

    /// <summary>The JSON report from standard output.</summary>
    public JsonDocument Json { get; }

    /// <summary>A file of the report folder.</summary>
    public string Report(string name) => Path.Combine(_folder.Path, "report", name);

    /// <summary>The samples of the JSON report.</summary>
    public IReadOnlyList<JsonElement> Samples => Json.RootElement.GetProperty("samples").EnumerateArray().ToList();

    /// <inheritdoc />
    public void Dispose()
    {
        Json.Dispose();
        _folder.Dispose();
    }
}
