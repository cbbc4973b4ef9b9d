using System.Text;
using GradSentry.Tool.Output;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Output;

public class LineFilterTests
{
    static string Filter(string text, Func<long, bool> keep, bool keepBom = true)
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("in.txt"), Encoding.UTF8.GetBytes(text));
        using var output = new MemoryStream();
        LineFilter.Copy(folder.File("in.txt"), output, keep, keepBom, atLineStart: true);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public void KeptLinesKeepTheirOwnTerminators() => Assert.Equal("a\r\nc\n", Filter("a\r\nb\nc\n", l => l != 2));

    [Fact]
    public void LastLineWithoutTerminatorIsCopiedAsIs() => Assert.Equal("a\nc", Filter("a\nb\nc", l => l != 2));

    [Fact]
    public void ByteOrderMarkIsKeptOrDroppedOnRequest()
    {
        Assert.Equal("\uFEFFb\n", Filter("\uFEFFa\nb\n", l => l == 2));
        Assert.Equal("b\n", Filter("\uFEFFa\nb\n", l => l == 2, keepBom: false));
    }

    [Fact]
    public void LinesLongerThanTheReadBufferAreCopiedWhole()
    {
        var longLine = new string('x', 200_000);
        Assert.Equal(longLine + "\n", Filter("short\n" + longLine + "\nend\n", l => l == 2));
    }
}
