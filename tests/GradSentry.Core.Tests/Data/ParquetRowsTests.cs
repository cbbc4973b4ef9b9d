using GradSentry.Data;
using Parquet.Schema;
using Parquet.Serialization;

namespace GradSentry.Tests.Data;

public sealed class ParquetRowsTests : IDisposable
{
    readonly DataFiles files = new();

    public void Dispose() => files.Dispose();

    string Write(string name, ParquetSchema schema, IEnumerable<Dictionary<string, object?>> rows)
    {
        var path = files.Bytes(name, []);
        using var stream = File.Create(path);
        ParquetSerializer.SerializeUntypedAsync(rows.Select(r => (IDictionary<string, object?>)r).ToList(), schema, stream).GetAwaiter().GetResult();
        return path;
    }

    [Fact]
    public void ParquetRowsAreReadAsRecordsWithRowNumbersAsLines()
    {
        var schema = new ParquetSchema(new DataField<string>("prompt"), new DataField<string>("response"), new DataField<int>("label"), new DataField<double?>("weight"));
        var path = Write("a.parquet", schema, Enumerable.Range(0, 3).Select(i => new Dictionary<string, object?>
        {
            ["prompt"] = $"p{i}", ["response"] = $"r{i}", ["label"] = i, ["weight"] = i == 1 ? null : 0.5 * i,
        }));
        var rows = SampleReader.Read(path).ToList();
        Assert.Equal(["p0", "p1", "p2"], rows.Select(r => r.Prompt));
        Assert.Equal(["r0", "r1", "r2"], rows.Select(r => r.Response));
        Assert.Equal([0L, 1L, 2L], rows.Select(r => r.Row));
        Assert.Equal([1L, 2L, 3L], rows.Select(r => r.Line));
        Assert.Equal("{\"prompt\":\"p1\",\"response\":\"r1\",\"label\":1,\"weight\":null}", rows[1].RawLine);
        Assert.Equal("2", rows[2].Extra["label"]);
        Assert.Null(rows[1].Extra["weight"]);
    }

    [Fact]
    public void MissingFieldsNameTheRow()
    {
        var schema = new ParquetSchema(new DataField<string>("question"), new DataField<string>("answer"));
        var path = Write("qa.parquet", schema, [new() { ["question"] = "q", ["answer"] = "a" }]);
        var error = DataFiles.Fails(path);
        Assert.Equal(1, error.Line);
        Assert.Contains("'prompt' is missing", error.Message, StringComparison.Ordinal);
        Assert.Equal("a", Assert.Single(SampleReader.Read(path, new ReaderOptions { Template = PromptTemplates.Qa() })).Response);
    }

    [Fact]
    public void AFileThatIsNotParquetIsADatasetError()
    {
        var path = files.Text("fake.parquet", "{\"prompt\":\"a\",\"response\":\"b\"}\n");
        var error = DataFiles.Fails(path);
        Assert.Contains("not a readable Parquet file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FilteredCopyKeepsTheChosenRowsAndTheSchema()
    {
        var schema = new ParquetSchema(new DataField<string>("prompt"), new DataField<string>("response"));
        var a = Write("a.parquet", schema, Enumerable.Range(0, 4).Select(i => new Dictionary<string, object?> { ["prompt"] = $"a{i}", ["response"] = "r" }));
        var b = Write("b.parquet", schema, Enumerable.Range(0, 2).Select(i => new Dictionary<string, object?> { ["prompt"] = $"b{i}", ["response"] = "r" }));
        using var output = new MemoryStream();
        ParquetRows.WriteFiltered([(a, new HashSet<long> { 0, 3 }), (b, new HashSet<long> { 1 })], output);
        var copy = files.Bytes("copy.parquet", output.ToArray());
        Assert.Equal(["a0", "a3", "b1"], SampleReader.Read(copy).Select(r => r.Prompt));
    }

    [Fact]
    public async Task FilteredCopyStreamsRowGroupByRowGroupAndSkipsEmptyGroups()
    {
        var schema = new ParquetSchema(new DataField<string>("prompt"), new DataField<string>("response"));
        var path = files.Bytes("groups.parquet", []);
        await using (var stream = File.Create(path))
            for (var g = 0; g < 3; g++)
                await ParquetSerializer.SerializeUntypedAsync(
                    Enumerable.Range(0, 3).Select(i => (IDictionary<string, object?>)new Dictionary<string, object?> { ["prompt"] = $"g{g}r{i}", ["response"] = "r" }).ToList(),
                    schema, stream, new Parquet.ParquetOptions { Append = g > 0 });
        using var output = new MemoryStream();
        ParquetRows.WriteFiltered([(path, new HashSet<long> { 1, 2, 7 })], output); // group 1 (rows 3-5) keeps nothing
        var copy = files.Bytes("copy.parquet", output.ToArray());
        Assert.Equal(["g0r1", "g0r2", "g2r1"], SampleReader.Read(copy).Select(r => r.Prompt));
        await using var reader = await Parquet.ParquetReader.CreateAsync(copy);
        Assert.Equal(2, reader.RowGroupCount);
    }

    [Fact]
    public async Task FilteredCopyWithEveryRowDroppedIsAnEmptyFileWithTheSchema()
    {
        var schema = new ParquetSchema(new DataField<string>("prompt"), new DataField<string>("response"));
        var a = Write("a.parquet", schema, Enumerable.Range(0, 2).Select(i => new Dictionary<string, object?> { ["prompt"] = $"a{i}", ["response"] = "r" }));
        using var output = new MemoryStream();
        ParquetRows.WriteFiltered([(a, new HashSet<long>())], output);
        var copy = files.Bytes("copy.parquet", output.ToArray());
        await using var reader = await Parquet.ParquetReader.CreateAsync(copy);
        Assert.Equal(["prompt", "response"], reader.Schema.Fields.Select(f => f.Name));
        Assert.Equal(0, Enumerable.Range(0, reader.RowGroupCount).Sum(g => reader.OpenRowGroupReader(g).RowCount));
    }

    [Fact]
    public void FilteredCopyNeedsAStreamItCanReadBack()
    {
        var schema = new ParquetSchema(new DataField<string>("prompt"), new DataField<string>("response"));
        var a = Write("a.parquet", schema, [new Dictionary<string, object?> { ["prompt"] = "a", ["response"] = "r" }]);
        using var writeOnly = new FileStream(files.Bytes("out.parquet", []), FileMode.Create, FileAccess.Write);
        Assert.Throws<ArgumentException>(() => ParquetRows.WriteFiltered([(a, new HashSet<long> { 0 })], writeOnly));
    }
}
