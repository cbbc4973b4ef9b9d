using AngleSharp.Html.Parser;
using GradSentry.Tool.Formatters;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Formatters;

public class HtmlFormatterTests
{
    static string Render(Tool.Reports.ScanReport report)
    {
        using var stream = new MemoryStream();
        new HtmlFormatter().Write(report, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void TextFromTheDataIsEscapedSoItCannotBecomeMarkup()
    {
        var texts = Enumerable.Range(0, 10).Select(i => ($"q{i}", $"a{i}")).ToList();
        texts[9] = ("<script>alert('prompt')</script>", "</td></tr><img src=x onerror=alert(1)> & \"quotes\"");
        var html = Render(SyntheticReport.Create(texts));
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        var document = new HtmlParser().ParseDocument(html);
        Assert.Empty(document.QuerySelectorAll("script"));
        var first = document.QuerySelectorAll("#suspects tr.top-suspect")[0];
        var cells = first.QuerySelectorAll("pre").Select(p => p.TextContent).ToList();
        Assert.Equal(["<script>alert('prompt')</script>", "</td></tr><img src=x onerror=alert(1)> & \"quotes\""], cells);
        Assert.Equal(2, document.QuerySelectorAll("img").Length); // only the two plots
    }

    [Fact]
    public void BannerSaysPassedWhenNothingIsFlaggedOrTheLimitAllowsIt()
    {
        var texts = Enumerable.Range(0, 10).Select(i => ($"q{i}", $"a{i}")).ToList();
        var document = new HtmlParser().ParseDocument(Render(SyntheticReport.Create(texts, maxPoisonFraction: 0.5)));
        Assert.Equal("GradSentry: PASSED", document.QuerySelector("#banner h1")!.TextContent);
        Assert.Contains("passed", document.QuerySelector("#banner")!.ClassName, StringComparison.Ordinal);
    }
}
