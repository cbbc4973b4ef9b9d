using GradSentry.Tool.Output;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Output;

public class AtomicFileTests
{
    [Fact]
    public void FailedWriteLeavesNeitherTheFileNorATemporaryFile()
    {
        using var folder = new TempFolder();
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(folder.File("out.txt"), stream =>
        {
            stream.Write("half"u8);
            throw new InvalidOperationException("boom");
        }));
        Assert.Empty(folder.Files());
    }

    [Fact]
    public void FailedWriteKeepsThePreviousFileIntact()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("out.txt"), "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(folder.File("out.txt"), _ => throw new InvalidOperationException("boom")));
        Assert.Equal("old", File.ReadAllText(folder.File("out.txt")));
        Assert.Equal(["out.txt"], folder.Files());
    }

    [Fact]
    public void OutputSetThatIsNotCommittedRemovesItsFilesAndTheFolderItCreated()
    {
        using var folder = new TempFolder();
        using (var set = new OutputSet())
        {
            set.EnsureFolder(folder.File("report"));
            set.Add(Path.Combine(folder.File("report"), "a.txt"), s => s.Write("a"u8));
            set.Add(folder.File("b.txt"), s => s.Write("b"u8));
        }
        Assert.Empty(folder.Files());
        Assert.False(Directory.Exists(folder.File("report")));
    }

    [Fact]
    public void OutputSetCommitMovesEveryFileIntoPlace()
    {
        using var folder = new TempFolder();
        using (var set = new OutputSet())
        {
            set.Add(folder.File("a.txt"), s => s.Write("a"u8));
            set.Add(folder.File("b.txt"), s => s.Write("b"u8));
            set.Commit();
        }
        Assert.Equal(["a.txt", "b.txt"], folder.Files());
        Assert.Equal("b", File.ReadAllText(folder.File("b.txt")));
    }

    [Fact]
    public void DestinationInAMissingFolderIsAUsageError()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<UsageException>(() => AtomicFile.CheckDestination(folder.File("no/such/file.json")));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }
}
