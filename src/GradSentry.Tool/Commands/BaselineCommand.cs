using System.CommandLine;
using System.Text.Json;
using GradSentry.Tool.Baselines;

namespace GradSentry.Tool.Commands;

/// <summary>
/// <c>dotnet gradsentry baseline REPORT.json --output FILE --reviewed-by NAME --reason TEXT</c>: record the flagged rows of
/// a scan's JSON report as reviewed, so later scans with <c>--baseline FILE</c> accept them.
/// </summary>
public sealed class BaselineCommand
{
    readonly Argument<string> _report = new("REPORT") { Description = "A JSON report written by 'scan --format json' (or gradsentry.json from --report)." };

    readonly Option<string> _output = new("--output", "-o") { Description = "Baseline file to write. Entries already in it are kept.", Required = true, HelpName = "FILE" };

    readonly Option<string> _reviewedBy = new("--reviewed-by") { Description = "Who reviewed the rows.", Required = true, HelpName = "NAME" };

    readonly Option<string> _reason = new("--reason") { Description = "Why the rows are accepted.", Required = true, HelpName = "TEXT" };

    /// <summary>Builds the command.</summary>
    public Command Create()
    {
        var command = new Command("baseline", "Write a reviewed baseline from a scan's JSON report: every flagged row becomes an entry (rowHash, file, line, score, reviewedBy, reason); 'scan --baseline FILE' then accepts those rows.");
        command.Arguments.Add(_report);
        command.Options.Add(_output);
        command.Options.Add(_reviewedBy);
        command.Options.Add(_reason);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() => Task.FromResult(Run(parse))));
        return command;
    }

    int Run(ParseResult parse)
    {
        var reportPath = parse.GetValue(_report)!;
        var output = parse.GetValue(_output)!;
        var reviewedBy = parse.GetValue(_reviewedBy)!.Trim();
        var reason = parse.GetValue(_reason)!.Trim();
        if (reviewedBy.Length == 0 || reason.Length == 0) throw new UsageException("--reviewed-by and --reason must not be empty: a baseline records who accepted a row and why.");
        Output.AtomicFile.CheckDestination(output);
        var existing = File.Exists(output) ? BaselineFile.Load(output).Entries : [];
        var entries = existing.ToList();
        var known = entries.Select(e => e.RowHash).ToHashSet(StringComparer.Ordinal);
        var added = 0;
        foreach (var entry in FlaggedRows(reportPath, reviewedBy, reason))
            if (known.Add(entry.RowHash))
            {
                entries.Add(entry);
                added++;
            }
        new BaselineFile(entries).Save(output);
        Console.Error.WriteLine($"{output}: {added} entr{(added == 1 ? "y" : "ies")} added, {entries.Count} in all.");
        return ExitCodes.Passed;
    }

    static List<BaselineEntry> FlaggedRows(string path, string reviewedBy, string reason)
    {
        try
        {
            using var stream = GradSentry.IO.RegularFile.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            if (!document.RootElement.TryGetProperty("samples", out var samples) || samples.ValueKind != JsonValueKind.Array)
                throw new UsageException($"{path}: not a GradSentry JSON report (no \"samples\"); write one with 'scan --format json --output FILE'.");
            var list = new List<BaselineEntry>();
            foreach (var s in samples.EnumerateArray())
            {
                if (!s.GetProperty("flagged").GetBoolean()) continue;
                var score = s.GetProperty("score") is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : double.NaN;
                list.Add(new BaselineEntry(s.GetProperty("rowHash").GetString()!, s.GetProperty("file").GetString()!, s.GetProperty("line").GetInt64(), score, reviewedBy, reason));
            }
            return list;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: the report cannot be read ({ex.Message}).", ex);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new UsageException($"{path}: not a valid GradSentry JSON report ({ex.Message.Split(" LineNumber:")[0]}).", ex);
        }
    }
}
