using GradSentry.Tool.Diagnostics;

namespace GradSentry.Tool.Tests.Diagnostics;

public class DiagnosticIdsTests
{
    [Fact]
    public void EveryIdHasARulePageAtItsHelpLink()
    {
        Assert.Equal(["GS1001", "GS1002", "GS2001", "GS2002", "GS2003", "GS2004", "GS3001"], DiagnosticIds.All);
        foreach (var id in DiagnosticIds.All)
        {
            Assert.Equal($"https://github.com/gradsentry/GradSentry.MLNet/blob/main/docs/rules/{id}.md", DiagnosticIds.HelpLink(id));
            var page = Path.Combine(Support.ToolProcess.RepoRoot, "docs", "rules", id + ".md");
            Assert.True(File.Exists(page), $"{page} is missing");
            Assert.StartsWith($"# {id}: {DiagnosticIds.Title(id)}", File.ReadAllText(page), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FindingsAndInputErrorsAreErrorsWhileSuspectsAndStaleEntriesAreWarnings()
    {
        Assert.True(DiagnosticIds.IsErrorByDefault(DiagnosticIds.PoisonFractionOverLimit));
        Assert.True(DiagnosticIds.IsErrorByDefault(DiagnosticIds.UnreadableDataset));
        Assert.True(DiagnosticIds.IsErrorByDefault(DiagnosticIds.ModelCannotBeLoaded));
        Assert.True(DiagnosticIds.IsErrorByDefault(DiagnosticIds.RowCannotBeScored));
        Assert.False(DiagnosticIds.IsErrorByDefault(DiagnosticIds.SuspectRow));
        Assert.False(DiagnosticIds.IsErrorByDefault(DiagnosticIds.StaleBaselineEntry));
        Assert.Throws<ArgumentException>(() => DiagnosticIds.Title("GS9999"));
    }

    [Fact]
    public void CanonicalLinesAreWhatMsbuildParses()
    {
        Assert.Equal("data.jsonl(12,1): error GS1001: too many", Diagnostic.Create("GS1001", "data.jsonl", 12, 0, "too many").ToCanonicalString());
        Assert.Equal("data.jsonl(3,7): warning GS1002: one\ttwo three", Diagnostic.Create("GS1002", "data.jsonl", 3, 7, "one\ttwo\nthree").ToCanonicalString());
        Assert.Equal("data.jsonl: error GS2001: empty", Diagnostic.Create("GS2001", "data.jsonl", 0, 0, "empty").ToCanonicalString());
    }
}
