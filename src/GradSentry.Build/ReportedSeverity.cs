namespace GradSentry.Build;

/// <summary>How a tool line classified itself: <c>error</c> or <c>warning</c>.</summary>
internal enum ReportedSeverity
{
    Warning,
    Error,
}
