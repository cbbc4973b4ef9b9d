using GradSentry.Tool.Formatters;

namespace GradSentry.Tool.Tests.Formatters;

public class SarifFormatterTests
{
    [Fact]
    public void RelativePathsBecomeRelativeUriReferencesWithEscapedSegments() =>
        Assert.Equal("data/my%20set.jsonl", SarifFormatter.ToUri("data/my set.jsonl"));

    [Fact]
    public void AbsolutePathsBecomeFileUris() => Assert.Equal("file:///tmp/data.jsonl", SarifFormatter.ToUri("/tmp/data.jsonl"));
}
