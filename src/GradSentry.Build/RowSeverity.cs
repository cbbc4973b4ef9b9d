namespace GradSentry.Build;

/// <summary>The severity of per-row GS1002 findings, from <c>GradSentry_Severity</c>.</summary>
internal enum RowSeverity
{
    /// <summary>Per-row findings are warnings (the default).</summary>
    Warning,

    /// <summary>Per-row findings are errors: any suspect row fails the build.</summary>
    Error,

    /// <summary>Per-row findings are not shown (the gate still applies GS1001).</summary>
    None,
}
