using GradSentry.Data;
using GradSentry.Tool.Commands;

namespace GradSentry.Tool.Tests.Commands;

public class CommandRunnerTests
{
    [Fact]
    public void AnArgumentErrorIsExitCode1WithoutTheCSharpParameterName()
    {
        var (code, message) = CommandRunner.Describe(new ArgumentException("device 'cuda' was requested but CUDA is not available.", "device"));
        Assert.Equal(ExitCodes.UsageOrInputError, code);
        Assert.Equal("error: device 'cuda' was requested but CUDA is not available.", message);
    }

    [Fact]
    public void ADatasetErrorNamesFileAndLine()
    {
        var (code, message) = CommandRunner.Describe(new DatasetException("data.jsonl", 7, 3, "the row is not JSON.", "Fix the row."));
        Assert.Equal(ExitCodes.UsageOrInputError, code);
        Assert.StartsWith("data.jsonl(7,3): error GS2001: ", message, StringComparison.Ordinal);
        Assert.EndsWith("the row is not JSON. Fix the row.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnythingElseIsAnInternalErrorAskingForABugReport()
    {
        var (code, message) = CommandRunner.Describe(new InvalidOperationException("boom"));
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.Contains("This is a bug in GradSentry", message, StringComparison.Ordinal);
    }
}
