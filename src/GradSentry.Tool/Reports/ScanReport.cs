using System.Globalization;
using System.Reflection;
using GradSentry.Detection;
using GradSentry.Scanning;
using GradSentry.Scoring;
using GradSentry.Tool.Baselines;
using GradSentry.Tool.Diagnostics;
using GradSentry.Verdicts;

namespace GradSentry.Tool.Reports;

/// <summary>
/// A finished scan as every formatter sees it: the engine's <see cref="ScanResult"/>, the reviewed baseline applied,
/// the gate decided, and the diagnostics to print.
/// </summary>
public sealed class ScanReport
{
    readonly Dictionary<int, BaselineEntry> _baselined;

    /// <summary>Builds the report of <paramref name="result"/>, applying <paramref name="baseline"/> when given.</summary>
    public ScanReport(ScanResult result, ReportOptions options, BaselineFile? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        Result = result;
        Options = options;
        _baselined = [];
        var stale = new List<BaselineEntry>();
        if (baseline is not null)
        {
            var byHash = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (var i = 0; i < result.Rows.Count; i++)
            {
                if (!byHash.TryGetValue(result.Rows[i].RowHash, out var list)) byHash[result.Rows[i].RowHash] = list = [];
                list.Add(i);
            }
            foreach (var entry in baseline.Entries)
            {
                if (byHash.TryGetValue(entry.RowHash, out var rows))
                    foreach (var row in rows) _baselined.TryAdd(row, entry);
                else stale.Add(entry);
            }
        }
        StaleBaselineEntries = stale;

        Suspects = Enumerable.Range(0, result.Rows.Count).Where(i => result.Rows[i].Verdict.Flagged && !_baselined.ContainsKey(i)).ToList();
        Baselined = result.Rows.Where((r, i) => r.Verdict.Flagged && _baselined.ContainsKey(i)).LongCount();
        NotExamined = result.Rows.LongCount(r => r.Score.IsScored && r.Score.NotExamined is not null);
        var evaluated = result.Summary.Evaluated;
        SuspectFraction = evaluated == 0 ? 0 : (double)Suspects.Count / evaluated;
        SuspectsWithinLimit = DatasetSummary.SuspectsWithinLimit(Suspects.Count, evaluated, result.Options.MaxPoisonFraction);
        // A gate never passes on rows it could not score: every format says so, as the exit code does. Nor does it pass a
        // dataset its detector could not examine at all (ONION with no deletable word in any row).
        NothingExamined = evaluated > 0 && NotExamined == evaluated;
        GatePassed = DatasetSummary.GatePasses(Suspects.Count, evaluated, result.Summary.Failed, result.Options.MaxPoisonFraction) && !NothingExamined;
        Success = GatePassed;
        Diagnostics = BuildDiagnostics(baseline);
    }

    /// <summary>Scored rows the detector could not examine (scored 0 with a reason, GS2004).</summary>
    public long NotExamined { get; }

    /// <summary>True when the detector could examine no scored row at all: the gate fails (exit 1) rather than pass on nothing.</summary>
    public bool NothingExamined { get; }

    /// <summary>The engine's result.</summary>
    public ScanResult Result { get; }

    /// <summary>The options as the user gave them.</summary>
    public ReportOptions Options { get; }

    /// <summary>Version of the tool (without build metadata).</summary>
    public static string ToolVersion { get; } = ReadVersion();

    /// <summary>Indices into <see cref="ScanResult.Rows"/> of flagged rows not accepted by the baseline: the ones the gate counts.</summary>
    public IReadOnlyList<int> Suspects { get; }

    /// <summary>Flagged rows accepted by the baseline.</summary>
    public long Baselined { get; }

    /// <summary>Suspects / evaluated.</summary>
    public double SuspectFraction { get; }

    /// <summary>True when the suspect fraction is within the limit.</summary>
    public bool GatePassed { get; }

    /// <summary>
    /// Why the gate failed, for every format to say (e.g. <c>3 suspect rows above the limit; 2 rows could not be scored</c>),
    /// or null when it passed.
    /// </summary>
    public string? GateReason
    {
        get
        {
            if (GatePassed) return null;
            var reasons = new List<string>();
            if (!SuspectsWithinLimit)
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{Suspects.Count} suspect row{(Suspects.Count == 1 ? "" : "s")} above the limit"));
            if (Result.Summary.Failed > 0)
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{Result.Summary.Failed} row{(Result.Summary.Failed == 1 ? "" : "s")} could not be scored"));
            if (NothingExamined) reasons.Add("the detector could examine no row (GS2004)");
            return string.Join("; ", reasons);
        }
    }

    /// <summary>True when the suspect rows are within <see cref="ScanOptions.MaxPoisonFraction"/> (rows that could not be scored aside).</summary>
    public bool SuspectsWithinLimit { get; }

    /// <summary>True when the gate passed and every row was scored.</summary>
    public bool Success { get; }

    /// <summary>Baseline entries that match no row.</summary>
    public IReadOnlyList<BaselineEntry> StaleBaselineEntries { get; }

    /// <summary>Warnings about the scan as a whole, for every report: the bundled demo model scored; chat markup the model has no token for.</summary>
    public IReadOnlyList<string> Warnings => [.. Options.DemoModel ? [GradSentry.DemoModel.Warning] : Array.Empty<string>(), .. Options.TemplateWarnings];

    /// <summary>Every diagnostic: GS2003 per failed row, GS1002 per suspect row, GS1001 when the gate failed, GS3001 per stale entry.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>The exit code the scan ends with: 1 when a row could not be scored, 2 when the gate failed, else 0.</summary>
    public int ExitCode => Result.Summary.Failed > 0 || NothingExamined ? ExitCodes.UsageOrInputError : GatePassed ? ExitCodes.Passed : ExitCodes.GateFailed;

    /// <summary>True when row <paramref name="index"/> is flagged but accepted by the baseline.</summary>
    public bool IsBaselined(int index) => _baselined.ContainsKey(index) && Result.Rows[index].Verdict.Flagged;

    /// <summary>The baseline entry that accepts flagged row <paramref name="index"/>, or null.</summary>
    public BaselineEntry? BaselineEntryOf(int index) => IsBaselined(index) ? _baselined[index] : null;

    /// <summary>The score's name as reports print it (which detector decided).</summary>
    public string ScoreLabel => ScoreKinds.Name(Result.Options.Scoring.Score) + " score";

    /// <summary>The backdoor group of row <paramref name="index"/> (trigger-conditional verdict), or null.</summary>
    public BackdoorGroup? GroupOf(int index) =>
        Result.Association?.Verdict is { } v && index < v.RowGroups.Length && v.RowGroups[index] > 0 ? v.Groups[v.RowGroups[index] - 1] : null;

    /// <summary>True when row <paramref name="index"/> counts for the gate (flagged and not baselined).</summary>
    public bool IsSuspect(int index) => Result.Rows[index].Verdict.Flagged && !_baselined.ContainsKey(index);

    /// <summary>The diagnostics, made one at a time as they are read: a scan with many suspects keeps no message per row.</summary>
    DiagnosticList BuildDiagnostics(BaselineFile? baseline)
    {
        var failed = new List<int>();
        var notExamined = new List<int>();
        for (var i = 0; i < Result.Rows.Count; i++)
        {
            var row = Result.Rows[i];
            if (row.Verdict.Failed) failed.Add(i);
            else if (row.Score.IsScored && row.Score.NotExamined is not null) notExamined.Add(i);
        }
        return new DiagnosticList(this, failed, notExamined, baseline);
    }

    Diagnostic NotExaminedDiagnostic(int index)
    {
        var row = Result.Rows[index];
        return Diagnostic.Create(DiagnosticIds.RowNotExamined, row.File, row.Line, 1,
            string.Create(CultureInfo.InvariantCulture, $"row {row.Row}: {row.Score.NotExamined}."));
    }

    Diagnostic FailedRowDiagnostic(int index)
    {
        var row = Result.Rows[index];
        return Diagnostic.Create(DiagnosticIds.RowCannotBeScored, row.File, row.Line, 1,
            string.Create(CultureInfo.InvariantCulture, $"row {row.Row} could not be scored: {row.Verdict.Reason}"));
    }

    Diagnostic SuspectDiagnostic(int index)
    {
        var threshold = Result.Summary.Threshold;
        var row = Result.Rows[index];
        var group = GroupOf(index) is { } g ? $" It is in {BackdoorGroupText.Describe(g)}." : "";
        return Diagnostic.Create(DiagnosticIds.SuspectRow, row.File, row.Line, 1,
            string.Create(CultureInfo.InvariantCulture,
                $"suspect row {row.Row}: {ScoreLabel} {row.Score.Score:0.0000} > threshold {threshold.Value:0.0000} ({threshold.Method}), {row.Score.AnswerTokens} answer tokens.{group} Review it; remove it, or accept it in a baseline (dotnet gradsentry baseline)."));
    }

    Diagnostic GateDiagnostic()
    {
        var threshold = Result.Summary.Threshold;
        var first = Result.Rows[Suspects[0]];
        return Diagnostic.Create(DiagnosticIds.PoisonFractionOverLimit, first.File, first.Line, 1,
            string.Create(CultureInfo.InvariantCulture,
                $"{Suspects.Count} of {Result.Summary.Evaluated} rows ({SuspectFraction:P2}) score above the threshold {threshold.Value:0.0000} ({threshold.Method}); the limit is {Result.Options.MaxPoisonFraction:P2} (--max-poison-fraction). Remove the suspect rows (--filtered-output), or review them into a baseline."));
    }

    static Diagnostic StaleDiagnostic(BaselineEntry entry, BaselineFile baseline) =>
        Diagnostic.Create(DiagnosticIds.StaleBaselineEntry, baseline.Path ?? "baseline", baseline.LineOf(entry.RowHash), 1,
            $"the baseline entry for {entry.File} line {entry.Line.ToString(CultureInfo.InvariantCulture)} (row hash {entry.RowHash[..12]}) matches no scanned row; the row changed or was removed. Delete the entry.");

    /// <summary>
    /// GS2003 per failed row, GS1002 per suspect, GS2004 per row the detector could not examine, GS1001 when over the limit,
    /// GS3001 per stale entry: in that order, each made when read.
    /// </summary>
    sealed class DiagnosticList(ScanReport report, List<int> failed, List<int> notExamined, BaselineFile? baseline) : IReadOnlyList<Diagnostic>
    {
        int Gate => report.SuspectsWithinLimit ? 0 : 1;

        public int Count => failed.Count + report.Suspects.Count + notExamined.Count + Gate + report.StaleBaselineEntries.Count;

        public Diagnostic this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                if (index < failed.Count) return report.FailedRowDiagnostic(failed[index]);
                index -= failed.Count;
                if (index < report.Suspects.Count) return report.SuspectDiagnostic(report.Suspects[index]);
                index -= report.Suspects.Count;
                if (index < notExamined.Count) return report.NotExaminedDiagnostic(notExamined[index]);
                index -= notExamined.Count;
                if (index < Gate) return report.GateDiagnostic();
                index -= Gate;
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, report.StaleBaselineEntries.Count);
                return StaleDiagnostic(report.StaleBaselineEntries[index], baseline!);
            }
        }

        public IEnumerator<Diagnostic> GetEnumerator()
        {
            for (var i = 0; i < Count; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    static string ReadVersion()
    {
        var info = typeof(ScanReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                   ?? typeof(ScanReport).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        var plus = info.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? info : info[..plus];
    }
}
