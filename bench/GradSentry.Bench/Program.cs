using GradSentry.Bench;

// Each benchmark is one class; internal helper subcommands (child processes) are not listed in the usage text.
IBenchmark[] benchmarks = [new CheckpointLoadBenchmark(), new CheckpointLoadBenchmark.Child(), new ScoringBenchmark(), new ScoringMemoryBenchmark(), new ScoringMemoryBenchmark.Child(), new ReportMemoryBenchmark.Child(), new OutputMemoryBenchmark(), new OutputMemoryBenchmark.Child(), new MlNetOverheadBenchmark(), new VerdictStepBenchmark(), new VerdictStepBenchmark.Child(), new ScaleBenchmark(), new ScaleBenchmark.Child(), new OnionCostBenchmark()];
IBenchmark[] listed = [.. benchmarks.Where(b => !b.Name.EndsWith("-child", StringComparison.Ordinal))];

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/GradSentry.Bench -- <benchmark> [options]");
    foreach (var b in listed) Console.Error.WriteLine("  " + b.Usage);
    return args.Length == 0 ? 1 : 0;
}
var benchmark = benchmarks.FirstOrDefault(b => b.Name == args[0]);
if (benchmark is null)
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'; known: {string.Join(", ", listed.Select(b => b.Name))}");
    return 1;
}
return benchmark.Run(args[1..]);
