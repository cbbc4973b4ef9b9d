using GradSentry.Caching;
using GradSentry.Scoring;
using GradSentry.Tests.Support;

namespace GradSentry.Tests.Caching;

public class ScoreCacheTests
{
    static EncodedSample Sample(int seed) => new(seed, [1, 2, seed, seed + 1, 9], 2, 3);
    static GradientSpectrum Spectrum(int seed) => new([seed, 0.5, 0.25, 0], 3, 1.5 + seed, 2.5);

    [Fact]
    public void StoredResultsAreReturnedAfterReopening()
    {
        using var dir = TestPaths.NewTempDirectory();
        using (var cache = ScoreCache.Open(dir.Path, "fp"))
            for (var i = 0; i < 5; i++) cache.Add(Sample(i), Spectrum(i));
        using var reopened = ScoreCache.Open(dir.Path, "fp");
        Assert.Equal(5, reopened.LoadedRecords);
        var hit = reopened.TryGet(Sample(3));
        Assert.NotNull(hit);
        Assert.Equal(Spectrum(3).SingularValues, hit.SingularValues);
        Assert.Equal(4.5, hit.Loss);
        Assert.Null(reopened.TryGet(Sample(42)));
    }

    [Fact]
    public void DifferentFingerprintsDoNotShareResults()
    {
        using var dir = TestPaths.NewTempDirectory();
        using (var cache = ScoreCache.Open(dir.Path, "model-a")) cache.Add(Sample(1), Spectrum(1));
        using var other = ScoreCache.Open(dir.Path, "model-b");
        Assert.Null(other.TryGet(Sample(1)));
    }

    [Fact]
    public void TwoWritersOfOneCacheWriteTwoFilesAndEveryRecordIsReadBack()
    {
        using var dir = TestPaths.NewTempDirectory();
        using (var a = ScoreCache.Open(dir.Path, "fp"))
        using (var b = ScoreCache.Open(dir.Path, "fp"))
        {
            for (var i = 0; i < 4; i++)
            {
                a.Add(Sample(i), Spectrum(i));
                b.Add(Sample(100 + i), Spectrum(100 + i));
            }
        }
        Assert.Equal(2, Directory.GetFiles(dir.Path, "*.gscache").Length);
        using var reopened = ScoreCache.Open(dir.Path, "fp");
        Assert.Equal(8, reopened.LoadedRecords);
        Assert.Equal(0, reopened.DroppedRecords);
        Assert.NotNull(reopened.TryGet(Sample(3)));
        Assert.NotNull(reopened.TryGet(Sample(103)));
    }

    [Fact]
    public void AReaderDoesNotCutATailItsWriterMayStillBeAppending()
    {
        using var dir = TestPaths.NewTempDirectory();
        using var writer = ScoreCache.Open(dir.Path, "fp");
        writer.Add(Sample(1), Spectrum(1));
        var file = Directory.GetFiles(dir.Path, "*.gscache").Single();
        var complete = new FileInfo(file).Length;
        File.AppendAllText(file, "half a record"); // as seen while the writer is in the middle of an append
        using (var reader = ScoreCache.Open(dir.Path, "fp"))
        {
            Assert.Equal(1, reader.DroppedRecords);
            Assert.NotNull(reader.TryGet(Sample(1)));
        }
        Assert.Equal(complete + "half a record".Length, new FileInfo(file).Length);
    }

    [Fact]
    public void TornTailIsDroppedAndRecomputedNotTrusted()
    {
        using var dir = TestPaths.NewTempDirectory();
        using (var cache = ScoreCache.Open(dir.Path, "fp"))
            for (var i = 0; i < 3; i++) cache.Add(Sample(i), Spectrum(i));
        var file = Directory.GetFiles(dir.Path, "*.gscache").Single();
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^5]); // a scan killed mid-write

        using var reopened = ScoreCache.Open(dir.Path, "fp");
        Assert.Equal(2, reopened.LoadedRecords);
        Assert.Equal(1, reopened.DroppedRecords);
        Assert.Null(reopened.TryGet(Sample(2)));
        reopened.Add(Sample(2), Spectrum(2));
        reopened.Dispose();
        using var again = ScoreCache.Open(dir.Path, "fp");
        Assert.Equal(3, again.LoadedRecords);
        Assert.NotNull(again.TryGet(Sample(2)));
    }

    [Fact]
    public void FlippedByteFailsTheChecksum()
    {
        using var dir = TestPaths.NewTempDirectory();
        using (var cache = ScoreCache.Open(dir.Path, "fp")) cache.Add(Sample(1), Spectrum(1));
        var file = Directory.GetFiles(dir.Path, "*.gscache").Single();
        var bytes = File.ReadAllBytes(file);
        bytes[60] ^= 0x40;
        File.WriteAllBytes(file, bytes);
        using var reopened = ScoreCache.Open(dir.Path, "fp");
        Assert.Equal(0, reopened.LoadedRecords);
        Assert.Null(reopened.TryGet(Sample(1)));
    }

    [Fact]
    public void SampleHashDependsOnEveryTokenAndTheSplit()
    {
        var a = ContentHash.OfSample(new EncodedSample(0, [1, 2, 3, 4], 2, 2));
        Assert.NotEqual(a, ContentHash.OfSample(new EncodedSample(0, [1, 2, 3, 5], 2, 2)));
        Assert.NotEqual(a, ContentHash.OfSample(new EncodedSample(0, [1, 2, 3, 4], 1, 3)));
        Assert.Equal(a, ContentHash.OfSample(new EncodedSample(99, [1, 2, 3, 4], 2, 2)));
    }
}
