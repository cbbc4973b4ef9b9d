using GradSentry.Tool.Diagnostics;

namespace GradSentry.Build;

/// <summary>
/// The project's say over the tool's diagnostics, applied the way the C# compiler applies it to analyzer warnings:
/// <c>GradSentry_Severity</c> first (per-row GS1002 only: <c>warning</c>, <c>error</c> or <c>none</c>), then for warnings
/// <c>NoWarn</c> (suppress), <c>WarningsAsErrors</c> (promote), <c>TreatWarningsAsErrors</c> (promote all but
/// <c>WarningsNotAsErrors</c>). Errors stay errors: nothing suppresses a failed gate.
/// </summary>
internal sealed class DiagnosticPolicy
{
    readonly HashSet<string> _noWarn;
    readonly HashSet<string> _warningsAsErrors;
    readonly HashSet<string> _warningsNotAsErrors;

    DiagnosticPolicy(RowSeverity rowSeverity, bool treatWarningsAsErrors, HashSet<string> noWarn, HashSet<string> warningsAsErrors, HashSet<string> warningsNotAsErrors)
    {
        RowSeverity = rowSeverity;
        TreatWarningsAsErrors = treatWarningsAsErrors;
        _noWarn = noWarn;
        _warningsAsErrors = warningsAsErrors;
        _warningsNotAsErrors = warningsNotAsErrors;
    }

    /// <summary>The severity of per-row findings.</summary>
    public RowSeverity RowSeverity { get; }

    /// <summary>Whether every warning not in <c>WarningsNotAsErrors</c> becomes an error.</summary>
    public bool TreatWarningsAsErrors { get; }

    /// <summary>Builds a policy from the task's string parameters (codes separated by <c>;</c> or <c>,</c>).</summary>
    public static DiagnosticPolicy Create(RowSeverity rowSeverity, bool treatWarningsAsErrors, string? noWarn, string? warningsAsErrors, string? warningsNotAsErrors) =>
        new(rowSeverity, treatWarningsAsErrors, Codes(noWarn), Codes(warningsAsErrors), Codes(warningsNotAsErrors));

    /// <summary>Decides how <paramref name="code"/>, reported by the tool as <paramref name="reported"/>, is logged.</summary>
    public EffectiveSeverity Resolve(string code, ReportedSeverity reported)
    {
        var severity = reported == ReportedSeverity.Error ? EffectiveSeverity.Error : EffectiveSeverity.Warning;
        if (string.Equals(code, DiagnosticIds.SuspectRow, StringComparison.OrdinalIgnoreCase))
        {
            severity = RowSeverity switch
            {
                RowSeverity.None => EffectiveSeverity.Suppressed,
                RowSeverity.Error => EffectiveSeverity.Error,
                _ => EffectiveSeverity.Warning,
            };
        }

        if (severity != EffectiveSeverity.Warning)
        {
            return severity;
        }

        if (_noWarn.Contains(code))
        {
            return EffectiveSeverity.Suppressed;
        }

        if (_warningsAsErrors.Contains(code) || TreatWarningsAsErrors && !_warningsNotAsErrors.Contains(code))
        {
            return EffectiveSeverity.Error;
        }

        return EffectiveSeverity.Warning;
    }

    static HashSet<string> Codes(string? list)
    {
        var codes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(list))
        {
            return codes;
        }

        foreach (var part in list.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            codes.Add(part);
        }

        return codes;
    }
}
