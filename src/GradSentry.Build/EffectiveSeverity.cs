namespace GradSentry.Build;

/// <summary>What the task does with one diagnostic after the project's settings are applied.</summary>
internal enum EffectiveSeverity
{
    /// <summary>Logged as a low-importance message (suppressed).</summary>
    Suppressed,

    /// <summary>Logged as a build warning.</summary>
    Warning,

    /// <summary>Logged as a build error.</summary>
    Error,
}
