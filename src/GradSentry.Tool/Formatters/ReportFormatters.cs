namespace GradSentry.Tool.Formatters;

/// <summary>The formats <c>--format</c> accepts.</summary>
public static class ReportFormatters
{
    /// <summary>Every formatter, in the order <c>--report DIR</c> writes them.</summary>
    public static IReadOnlyList<IReportFormatter> All { get; } =
    [
        new TextFormatter(), new JsonFormatter(), new CsvFormatter(), new SarifFormatter(), new HtmlFormatter(), new MsBuildFormatter(),
    ];

    /// <summary>The format names.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(f => f.Name).ToList();

    /// <summary>The formatter named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="UsageException">An unknown name.</exception>
    public static IReportFormatter Get(string name) =>
        All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new UsageException($"unknown format '{name}'; use one of {string.Join(", ", Names)}.");
}
