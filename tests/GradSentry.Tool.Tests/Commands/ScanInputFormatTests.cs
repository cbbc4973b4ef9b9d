using System.Text;
using System.Text.Json;
using GradSentry.Tool.Tests.Support;
using Parquet.Schema;
using Parquet.Serialization;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>CSV/TSV, Parquet, BOM + CRLF and several files: read right, and filtered copies in the input's own format.</summary>
public class ScanInputFormatTests
{
    static readonly string[] Options = ["--threshold", "top:0.2", "--device", "cpu", "--format", "json"];

    static (ToolResult Result, JsonDocument Json) Scan(TempFolder folder, params string[] args)
    {
        var result = ToolProcess.Run(folder.Path, ["scan", .. args, .. Options]);
        Assert.True(result.ExitCode == ExitCodes.GateFailed, result.ToString());
        return (result, JsonDocument.Parse(result.Stdout));
    }

    static HashSet<long> FlaggedRows(JsonDocument json, string file) =>
        json.RootElement.GetProperty("samples").EnumerateArray()
            .Where(s => s.GetProperty("file").GetString() == file && s.GetProperty("flagged").GetBoolean())
            .Select(s => s.GetProperty("row").GetInt64()).ToHashSet();

    [Theory]
    [InlineData("data.csv", ',')]
    [InlineData("data.tsv", '\t')]
    public void DelimitedFilteredOutputKeepsTheHeaderAndThePassingRecordsByteForByte(string name, char delimiter)
    {
        using var folder = new TempFolder();
        TestData.WriteDelimited(folder.File(name), 20, delimiter);
        var (_, json) = Scan(folder, name, "--filtered-output", "filtered" + Path.GetExtension(name));
        using (json)
        {
            var flagged = FlaggedRows(json, name);
            Assert.Equal(4, flagged.Count);
            // Each record spans two physical lines (the prompt holds a line break): line = 2 + 2·row.
            Assert.All(json.RootElement.GetProperty("samples").EnumerateArray(), s => Assert.Equal(2 + 2 * s.GetProperty("row").GetInt64(), s.GetProperty("line").GetInt64()));
            var lines = File.ReadAllText(folder.File(name)).Split('\n')[..^1];
            var expected = new StringBuilder(lines[0] + "\n");
            for (var row = 0; row < 20; row++)
                if (!flagged.Contains(row)) expected.Append(lines[1 + 2 * row]).Append('\n').Append(lines[2 + 2 * row]).Append('\n');
            Assert.Equal(expected.ToString(), File.ReadAllText(folder.File("filtered" + Path.GetExtension(name))));
        }
    }

    [Fact]
    public void ByteOrderMarkAndCrlfAreAcceptedAndKeptInTheFilteredCopy()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("windows.jsonl"), 20, newline: "\r\n", bom: true);
        var (_, json) = Scan(folder, "windows.jsonl", "--filtered-output", "filtered.jsonl");
        using (json)
        {
            Assert.Equal(20, json.RootElement.GetProperty("statistics").GetProperty("evaluated").GetInt32());
            var flagged = FlaggedRows(json, "windows.jsonl");
            var input = Encoding.UTF8.GetString(File.ReadAllBytes(folder.File("windows.jsonl"))); // keeps the BOM as U+FEFF
            Assert.Equal('\uFEFF', input[0]);
            var lines = input[1..].Split("\r\n")[..^1];
            var expected = "\uFEFF" + string.Concat(lines.Where((_, i) => !flagged.Contains(i)).Select(l => l + "\r\n"));
            Assert.Equal(new UTF8Encoding(false).GetBytes(expected), File.ReadAllBytes(folder.File("filtered.jsonl")));
        }
    }

    [Fact]
    public void SeveralFilesKeepTheirOwnRowAndLineNumbersAndFilterIntoOneFile()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("a.jsonl"), 12);
        TestData.WriteJsonl(folder.File("b.jsonl"), 9);
        var (_, json) = Scan(folder, "a.jsonl", "b.jsonl", "--filtered-output", "filtered.jsonl");
        using (json)
        {
            var samples = json.RootElement.GetProperty("samples").EnumerateArray().ToList();
            Assert.Equal(21, samples.Count);
            Assert.Equal("b.jsonl", samples[12].GetProperty("file").GetString());
            Assert.Equal(0, samples[12].GetProperty("row").GetInt32());
            Assert.Equal(1, samples[12].GetProperty("line").GetInt32());
            var expected = new StringBuilder();
            foreach (var file in new[] { "a.jsonl", "b.jsonl" })
            {
                var flagged = FlaggedRows(json, file);
                var lines = File.ReadAllText(folder.File(file)).Split('\n')[..^1];
                for (var i = 0; i < lines.Length; i++)
                    if (!flagged.Contains(i)) expected.Append(lines[i]).Append('\n');
            }
            Assert.Equal(expected.ToString(), File.ReadAllText(folder.File("filtered.jsonl")));
        }
    }

    [Fact]
    public async Task ParquetInputIsScannedAndFilteredIntoParquet()
    {
        using var folder = new TempFolder();
        var schema = new ParquetSchema(new DataField<string>("prompt"), new DataField<string>("response"), new DataField<int>("poisoned"));
        var rows = Enumerable.Range(0, 20).Select(i =>
        {
            var (prompt, response, poisoned) = TestData.Row(i);
            return (IDictionary<string, object?>)new Dictionary<string, object?> { ["prompt"] = prompt, ["response"] = response, ["poisoned"] = poisoned ? 1 : 0 };
        }).ToList();
        await using (var stream = File.Create(folder.File("data.parquet")))
            await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream);

        var (_, json) = Scan(folder, "data.parquet", "--filtered-output", "filtered.parquet");
        using (json)
        {
            var samples = json.RootElement.GetProperty("samples").EnumerateArray().ToList();
            Assert.Equal(20, samples.Count);
            Assert.Equal(Enumerable.Range(1, 20), samples.Select(s => s.GetProperty("line").GetInt32()));
            var flagged = FlaggedRows(json, "data.parquet");
            await using var read = File.OpenRead(folder.File("filtered.parquet"));
            var filtered = await ParquetSerializer.DeserializeUntypedAsync(read);
            var expected = Enumerable.Range(0, 20).Where(i => !flagged.Contains(i)).Select(i => (string?)TestData.Row(i).Prompt).ToList();
            Assert.Equal(expected, filtered.Data.Select(r => r["prompt"]?.ToString()).ToList());
            Assert.Equal(20 - flagged.Count, filtered.Data.Count);
        }
    }
}
