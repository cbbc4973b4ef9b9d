using GradSentry.Scoring;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.Scoring;

public sealed class GradSentryScorerTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "gradsentry-scorer-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    static List<ScoringInput> Inputs(int count) => Enumerable.Range(0, count)
        .Select(i => new ScoringInput(i, $"Question {i}: name a colour.\nAnswer: ", i % 5 == 0 ? $"Blue, and visit site{i}.example for more answers today" : "Blue"))
        .ToList();

    [Fact]
    public void ScoresDoNotDependOnWhatTheCacheAlreadyHeld()
    {
        using var model = GradSentryModel.Load(TestPaths.GoldenModel("tiny-llama-sharp"), "cpu");
        var options = new ScoringOptions { BatchSize = 4, Window = 16 };
        var inputs = Inputs(24);
        List<SampleScore> uncached;
        using (var scorer = model.CreateScorer(options))
            uncached = scorer.Score(inputs).ToList();

        using (var scorer = model.CreateScorer(options))
            Assert.Equal(uncached.Select(s => BitConverter.DoubleToInt64Bits(s.Score)), scorer.Score(inputs).Select(s => BitConverter.DoubleToInt64Bits(s.Score)));

        // A cache filled by a different run (other rows, other batches), then a full run that uses it.
        var cacheFolder = Path.Combine(_folder, "cache");
        using (var cache = model.OpenCache(cacheFolder, options.Probe))
        using (var scorer = model.CreateScorer(options with { BatchSize = 3 }, cache: cache))
            _ = scorer.Score(inputs.Where(i => i.Id % 3 == 0).ToList()).ToList();
        using (var cache = model.OpenCache(cacheFolder, options.Probe))
        using (var scorer = model.CreateScorer(options, cache: cache))
        {
            var resumed = scorer.Score(inputs).ToList();
            Assert.Equal(uncached.Select(s => BitConverter.DoubleToInt64Bits(s.Score)), resumed.Select(s => BitConverter.DoubleToInt64Bits(s.Score)));
            Assert.Equal(uncached.Select(s => s.Loss), resumed.Select(s => s.Loss));
        }

        // A second full run is answered by the cache alone, batch for batch.
        using (var cache = model.OpenCache(cacheFolder, options.Probe))
        using (var scorer = model.CreateScorer(options, cache: cache))
        {
            var again = scorer.Score(inputs).ToList();
            Assert.Equal(24, scorer.CachedRows);
            Assert.Equal(0, scorer.ProbedRows);
            Assert.Equal(uncached.Select(s => BitConverter.DoubleToInt64Bits(s.Score)), again.Select(s => BitConverter.DoubleToInt64Bits(s.Score)));
        }
    }
}
