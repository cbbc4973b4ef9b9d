namespace GradSentry.Build;

/// <summary>
/// Datasets that share a model and options, scanned by one tool run. Items whose metadata differ (another model,
/// threshold, limit, template or filtered output) form groups of their own.
/// </summary>
/// <param name="Datasets">Full paths, in item order.</param>
/// <param name="Model">Model directory (full path).</param>
/// <param name="MaxPoisonFraction">The gate's limit, as given (invariant culture).</param>
/// <param name="Threshold"><c>auto</c>, a number or <c>top:F</c>.</param>
/// <param name="Template">Prompt template name or file, or empty for the tool's default.</param>
/// <param name="FilteredOutput">Where the rows that pass go, or empty for none.</param>
/// <param name="ReportDirectory">Where this run's reports go.</param>
/// <param name="ErrorLog">Where this run's SARIF log goes.</param>
internal sealed record ScanGroup(
    IReadOnlyList<string> Datasets,
    string Model,
    string MaxPoisonFraction,
    string Threshold,
    string Template,
    string FilteredOutput,
    string ReportDirectory,
    string ErrorLog);
