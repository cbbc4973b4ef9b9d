namespace GradSentry.Build.Tests;

public class ToolCommandTests
{
    [Fact]
    public void TheDefaultCommandIsTheLocalToolThroughDotnet()
    {
        var command = ToolCommand.TryParse(ToolCommand.Default);

        Assert.NotNull(command);
        Assert.Equal("dotnet", command.Executable);
        Assert.Equal(["gradsentry"], command.Arguments);
        Assert.True(command.IsLocalTool);
    }

    [Fact]
    public void QuotesGroupAnArgumentWithSpaces()
    {
        var command = ToolCommand.TryParse("dotnet \"/opt/my tools/GradSentry.Tool.dll\"  --verbose");

        Assert.NotNull(command);
        Assert.Equal(["/opt/my tools/GradSentry.Tool.dll", "--verbose"], command.Arguments);
        Assert.False(command.IsLocalTool);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("dotnet \"unterminated")]
    public void ACommandWithoutProgramOrWithAnOpenQuoteIsRejected(string text) =>
        Assert.Null(ToolCommand.TryParse(text));

    [Fact]
    public void DotnetResolvesToTheHostThatRunsTheBuild()
    {
        using var temp = TestPaths.NewTempDirectory();
        var host = temp.File("dotnet-host");
        File.WriteAllText(host, "");
        var command = ToolCommand.TryParse("dotnet gradsentry")!;

        var resolved = command.ResolveExecutable(name => name == "DOTNET_HOST_PATH" ? host : null);

        Assert.Equal(host, resolved);
    }

    [Fact]
    public void ABareNameIsLookedUpOnPath()
    {
        using var temp = TestPaths.NewTempDirectory();
        var tool = temp.File("gradsentry-fake");
        File.WriteAllText(tool, "");
        var command = ToolCommand.TryParse("gradsentry-fake")!;

        Assert.Equal(tool, command.ResolveExecutable(name => name == "PATH" ? "/nonexistent" + Path.PathSeparator + temp.Path : null));
        Assert.Null(command.ResolveExecutable(name => name == "PATH" ? "/nonexistent" : null));
    }
}
