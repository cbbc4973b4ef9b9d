using System.Text;
using GradSentry.Data;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.Data;

/// <summary>Writes small dataset files into a temporary directory for the reader tests.</summary>
public sealed class DataFiles : IDisposable
{
    readonly TempDirectory dir = TestPaths.NewTempDirectory();

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public string Text(string name, string text) => Bytes(name, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes raw bytes.</summary>
    public string Bytes(string name, byte[] bytes)
    {
        var path = dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Reads every row of <paramref name="path"/>.</summary>
    public static List<SampleRow> ReadAll(string path, ReaderOptions? options = null) => [.. SampleReader.Read(path, options)];

    /// <summary>The <see cref="DatasetException"/> reading <paramref name="path"/> raises.</summary>
    public static DatasetException Fails(string path, ReaderOptions? options = null) =>
        Assert.Throws<DatasetException>(() => ReadAll(path, options));

    /// <inheritdoc />
    public void Dispose() => dir.Dispose();
}
