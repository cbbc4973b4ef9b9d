using GradSentry.Data;

namespace GradSentry.Tests.Data;

public class DatasetExceptionTests
{
    [Fact]
    public void TheMessageNamesFileLineColumnProblemAndFix()
    {
        var ex = new DatasetException("data.jsonl", 12, 7, "the line is not valid JSON.", "Fix it.") { ByteOffset = 300, Field = "prompt" };
        Assert.Equal("data.jsonl:12:7: the line is not valid JSON. Fix it.", ex.Message);
        Assert.Equal("data.jsonl", ex.File);
        Assert.Equal(12, ex.Line);
        Assert.Equal(7, ex.Column);
        Assert.Equal(300, ex.ByteOffset);
        Assert.Equal("prompt", ex.Field);
        Assert.Equal("the line is not valid JSON.", ex.Problem);
        Assert.Equal("Fix it.", ex.Fix);
    }

    [Fact]
    public void WithoutAColumnOrLineTheLocationIsShorter()
    {
        Assert.Equal("d.csv:3: bad. Fix.", new DatasetException("d.csv", 3, null, "bad.", "Fix.").Message);
        Assert.Equal("d.csv: empty. Add rows.", new DatasetException("d.csv", 0, null, "empty.", "Add rows.").Message);
    }

    [Fact]
    public void ItIsAnIoExceptionWithTheStandardConstructors()
    {
        IOException ex = new DatasetException("m");
        Assert.Equal("m", ex.Message);
        var inner = new FormatException("x");
        Assert.Same(inner, new DatasetException("m", inner).InnerException);
        Assert.NotEmpty(new DatasetException().Message);
        Assert.Same(inner, new DatasetException("f", 1, null, "p", "f", inner).InnerException);
    }
}
