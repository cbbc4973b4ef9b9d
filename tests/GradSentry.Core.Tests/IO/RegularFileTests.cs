using System.Diagnostics;
using GradSentry.IO;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.IO;

/// <summary>Inputs are read only when they are regular files, within their size limit (issue 16, item 3).</summary>
public class RegularFileTests
{
    [Fact]
    public void ARegularFileWithinItsLimitIsRead()
    {
        using var dir = TestPaths.NewTempDirectory();
        File.WriteAllText(dir.File("a.json"), "{}");
        Assert.Equal("{}"u8.ToArray(), RegularFile.ReadAllBytes(dir.File("a.json"), 2));
        Assert.Null(RegularFile.Problem(dir.File("a.json")));
    }

    [Fact]
    public void AFileOverItsLimitIsRefusedWithoutReadingIt()
    {
        using var dir = TestPaths.NewTempDirectory();
        File.WriteAllBytes(dir.File("big.json"), new byte[1000]);
        var error = Assert.Throws<IOException>(() => RegularFile.ReadAllBytes(dir.File("big.json"), 999));
        Assert.Contains("above the 999-byte limit", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/zero", "a character device")]
    [InlineData("/dev/null", "a character device")]
    public void DevicesAreRefused(string device, string kind)
    {
        Assert.Equal(FileKind.CharacterDevice, FileFacts.Of(device).Kind);
        Assert.Contains(kind, Assert.Throws<IOException>(() => RegularFile.ReadAllBytes(device, 1 << 20)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALinkToADeviceIsRefusedAndALinkToAFileIsFollowed()
    {
        using var dir = TestPaths.NewTempDirectory();
        File.CreateSymbolicLink(dir.File("zero.json"), "/dev/zero");
        File.WriteAllText(dir.File("real.json"), "{}");
        File.CreateSymbolicLink(dir.File("link.json"), dir.File("real.json"));
        Assert.Contains("character device", RegularFile.Problem(dir.File("zero.json")), StringComparison.Ordinal);
        Assert.Null(RegularFile.Problem(dir.File("link.json")));
        Assert.Equal(FileKind.SymbolicLink, FileFacts.Of(dir.File("link.json"), followLinks: false).Kind);
    }

    [Fact]
    public void AFifoIsRefusedWithoutWaitingForAWriter()
    {
        using var dir = TestPaths.NewTempDirectory();
        using (var mkfifo = Process.Start("mkfifo", [dir.File("pipe.json")])!) mkfifo.WaitForExit();
        Assert.Equal(FileKind.Fifo, FileFacts.Of(dir.File("pipe.json")).Kind);
        var clock = Stopwatch.StartNew();
        Assert.Contains("FIFO", Assert.Throws<IOException>(() => RegularFile.OpenRead(dir.File("pipe.json"))).Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void HardAndSymbolicLinksAreTheSameFile()
    {
        using var dir = TestPaths.NewTempDirectory();
        File.WriteAllText(dir.File("data.jsonl"), "{}\n");
        File.CreateSymbolicLink(dir.File("soft.jsonl"), dir.File("data.jsonl"));
        using (var ln = Process.Start("ln", [dir.File("data.jsonl"), dir.File("hard.jsonl")])!) ln.WaitForExit();
        File.WriteAllText(dir.File("other.jsonl"), "{}\n");
        var data = FileFacts.Of(dir.File("data.jsonl"));
        Assert.True(data.IsSameFileAs(FileFacts.Of(dir.File("soft.jsonl"))));
        Assert.True(data.IsSameFileAs(FileFacts.Of(dir.File("hard.jsonl"))));
        Assert.False(data.IsSameFileAs(FileFacts.Of(dir.File("other.jsonl"))));
        Assert.False(data.IsSameFileAs(FileFacts.Of(dir.File("missing.jsonl"))));
    }
}
