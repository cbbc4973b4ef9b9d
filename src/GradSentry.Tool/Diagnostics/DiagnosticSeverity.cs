namespace GradSentry.Tool.Diagnostics;

/// <summary>How serious a <see cref="Diagnostic"/> is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Worth a look; does not fail anything by itself.</summary>
    Warning = 0,

    /// <summary>Fails the gate or the run.</summary>
    Error = 1,
}
