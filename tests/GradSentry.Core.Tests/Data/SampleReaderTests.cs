using GradSentry.Data;

namespace GradSentry.Tests.Data;

public sealed class SampleReaderTests : IDisposable
{
    readonly DataFiles files = new();

    public void Dispose() => files.Dispose();

    [Theory]
    [InlineData("a.jsonl", DatasetFormat.JsonLines)]
    [InlineData("a.JSONL", DatasetFormat.JsonLines)]
    [InlineData("a.ndjson", DatasetFormat.JsonLines)]
    [InlineData("a.json", DatasetFormat.JsonLines)]
    [InlineData("dir.v2/a.csv", DatasetFormat.Csv)]
    [InlineData("a.tsv", DatasetFormat.Tsv)]
    [InlineData("a.tab", DatasetFormat.Tsv)]
    [InlineData("a.parquet", DatasetFormat.Parquet)]
    public void TheFormatFollowsTheExtension(string path, DatasetFormat expected) => Assert.Equal(expected, SampleReader.DetectFormat(path));

    [Theory]
    [InlineData("a.txt", "'.txt'")]
    [InlineData("data", "no extension")]
    [InlineData("a.xlsx", "'.xlsx'")]
    public void AnUnknownExtensionAsksForTheFormat(string path, string expected)
    {
        var ex = Assert.Throws<DatasetException>(() => SampleReader.DetectFormat(path));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("--input-format", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExplicitFormatOverridesTheExtension()
    {
        var path = files.Text("data.txt", "prompt,response\na,b\n");
        Assert.Throws<DatasetException>(() => SampleReader.Read(path));
        var row = Assert.Single(SampleReader.Read(path, new ReaderOptions { Format = DatasetFormat.Csv }));
        Assert.Equal("b", row.Response);
        Assert.Throws<DatasetException>(() => DataFiles.ReadAll(path, new ReaderOptions { Format = DatasetFormat.JsonLines }));
    }

    [Theory]
    [InlineData("jsonl", DatasetFormat.JsonLines)]
    [InlineData(" JSON ", DatasetFormat.JsonLines)]
    [InlineData("csv", DatasetFormat.Csv)]
    [InlineData("TSV", DatasetFormat.Tsv)]
    public void FormatNamesParse(string name, DatasetFormat expected) => Assert.Equal(expected, SampleReader.ParseFormat(name));

    [Fact]
    public void AnUnknownFormatNameIsRejected() =>
        Assert.Contains("jsonl, csv, tsv or parquet", Assert.Throws<FormatException>(() => SampleReader.ParseFormat("xml")).Message, StringComparison.Ordinal);

    [Fact]
    public void SeveralFilesAreReadInOrderEachNumberedFromRowZero()
    {
        var a = files.Text("a.jsonl", "{\"prompt\": \"a1\", \"response\": \"r\"}\n{\"prompt\": \"a2\", \"response\": \"r\"}\n");
        var b = files.Text("b.csv", "prompt,response\nb1,r\n");
        var rows = SampleReader.Read([a, b]).ToList();
        Assert.Equal(["a1", "a2", "b1"], rows.Select(r => r.Prompt));
        Assert.Equal([a, a, b], rows.Select(r => r.File));
        Assert.Equal([0L, 1L, 0L], rows.Select(r => r.Row));
        Assert.Equal([1L, 2L, 2L], rows.Select(r => r.Line));
    }

    [Fact]
    public void AMissingFileIsReportedBeforeReadingStarts()
    {
        var a = files.Text("a.jsonl", "{\"prompt\": \"a\", \"response\": \"r\"}\n");
        var ex = Assert.Throws<DatasetException>(() => SampleReader.Read([a, a + ".nope.jsonl"]));
        Assert.Equal(a + ".nope.jsonl", ex.File);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADirectoryIsNotADataset()
    {
        var a = files.Text("a.jsonl", "{\"prompt\": \"a\", \"response\": \"r\"}\n");
        var ex = Assert.Throws<DatasetException>(() => SampleReader.Read(Path.GetDirectoryName(a)!));
        Assert.Contains("directory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUndetectableFormatIsReportedBeforeReadingStarts()
    {
        var a = files.Text("a.jsonl", "{\"prompt\": \"a\", \"response\": \"r\"}\n");
        var b = files.Text("b.txt", "x");
        Assert.Throws<DatasetException>(() => SampleReader.Read([a, b]));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var a = files.Text("a.jsonl", "{\"prompt\": \"a\", \"response\": \"r\"}\n");
        Assert.Throws<ArgumentException>(() => SampleReader.Read(Array.Empty<string>()));
        Assert.Throws<ArgumentException>(() => SampleReader.Read([""]));
        Assert.Throws<ArgumentException>(() => SampleReader.Read(a, new ReaderOptions { MaxLineBytes = 0 }));
        Assert.Throws<ArgumentException>(() => SampleReader.Read(a, new ReaderOptions { Template = null! }));
        Assert.Throws<ArgumentException>(() => SampleReader.Read(a, new ReaderOptions { Format = (DatasetFormat)9 }));
    }

    [Fact]
    public void TheInputFileIsNotModified()
    {
        var a = files.Text("a.jsonl", "{\"prompt\": \"a\", \"response\": \"r\"}\n");
        var before = File.ReadAllBytes(a);
        var stamp = File.GetLastWriteTimeUtc(a);
        _ = DataFiles.ReadAll(a);
        Assert.Equal(before, File.ReadAllBytes(a));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(a));
    }
}
