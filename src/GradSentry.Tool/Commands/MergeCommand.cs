using System.CommandLine;
using GradSentry.Data;
using GradSentry.Scanning;
using GradSentry.Tool.Baselines;
using GradSentry.Tool.Reports;
using GradSentry.Tool.Sharding;

namespace GradSentry.Tool.Commands;

/// <summary>
/// <c>dotnet gradsentry merge &lt;SHARDS...&gt; [options]</c>: combine the shard results of <c>scan --shard i/n</c>, fit the
/// threshold on all scores, gate and report exactly as the unsharded scan would.
/// </summary>
public sealed class MergeCommand
{
    readonly Argument<string[]> _shards = new("SHARDS")
    {
        Description = "Shard result files written by 'scan --shard i/n --output FILE', one per shard (any order).",
        Arity = ArgumentArity.OneOrMore,
    };

    readonly ReportOptionSet _report = new();

    /// <summary>Builds the command.</summary>
    public Command Create()
    {
        var command = new Command("merge", "Combine shard results of 'scan --shard i/n': the threshold is learned on the merged scores; the result equals an unsharded scan. --threshold and --max-poison-fraction default to the shards' values.");
        command.Arguments.Add(_shards.RejectingUnknownOptions("merge"));
        _report.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() => Task.FromResult(Run(parse))));
        return command;
    }

    int Run(ParseResult parse)
    {
        var paths = parse.GetValue(_shards) ?? [];
        var request = _report.Read(parse);
        request.CheckDestinations();
        var baseline = request.Baseline is null ? null : BaselineFile.Load(request.Baseline);
        var inputs = paths.Select(p => ("shard result", p)).ToList();
        if (request.Baseline is { } baselinePath) inputs.Add(("baseline", baselinePath));
        Output.InputProtection.Check(Output.InputProtection.Outputs(request), inputs);
        var shards = paths.Select(ShardResult.Read).ToList();
        // The filtered copy is read from the datasets the shards scanned: no output may replace them either.
        Output.InputProtection.Check(Output.InputProtection.Outputs(request),
            shards.SelectMany(s => s.Scored.Files).Distinct(StringComparer.Ordinal).Select(f => ("input dataset", f)));
        var counts = shards.Select(s => s.Scored.Options.Shard!.Count).Distinct().ToList();
        if (counts.Count > 1) throw new UsageException($"the shard results come from splits into {string.Join(" and ", counts)} shards; merge the shards of one split.");
        var indices = shards.Select(s => s.Scored.Options.Shard!.Index).ToList();
        var duplicate = indices.GroupBy(i => i).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new UsageException($"shard {duplicate.Key}/{counts[0]} is given {duplicate.Count()} times.");
        var missing = Enumerable.Range(0, counts[0]).Except(indices).ToList();
        if (missing.Count > 0)
            throw new UsageException($"shard(s) {string.Join(", ", missing.Select(m => $"{m}/{counts[0]}"))} missing: every shard's result is needed for the threshold.");
        ShardCompatibility.Check(paths, shards, Explicit(parse, _report.Threshold), Explicit(parse, _report.MaxPoisonFraction));

        ScoredDataset combined;
        try
        {
            combined = DatasetScanner.Combine(shards.Select(s => s.Scored).ToList());
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
        var first = shards[0].Options;
        var threshold = Explicit(parse, _report.Threshold) ? parse.GetValue(_report.Threshold)! : first.Threshold;
        var maxPoison = Explicit(parse, _report.MaxPoisonFraction) ? parse.GetValue(_report.MaxPoisonFraction) : first.MaxPoisonFraction;
        combined = combined with { Options = combined.Options with { Threshold = threshold, MaxPoisonFraction = maxPoison } };
        var options = first with { Threshold = threshold, MaxPoisonFraction = maxPoison, Baseline = request.Baseline };
        var report = new ScanReport(DatasetScanner.Decide(combined), options, baseline);
        var inputFormat = first.InputFormat is { } f ? SampleReader.ParseFormat(f) : (DatasetFormat?)null;
        return ReportEmitter.Emit(report, request, inputFormat);
    }

    static bool Explicit(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
