using GradSentry.Scanning;
using GradSentry.Scoring;

namespace GradSentry.Tests.Scanning;

public class DatasetScannerCombineTests
{
    static ScoredDataset Part(int index, int count, params long[] rows) => new(
        ["data.jsonl"], "/model", "hash", "lm_head-closed-form",
        new ScanOptions { ModelDirectory = "/model", Shard = new ScanShard(index, count), Threshold = "0.5" },
        TotalRows: 4,
        rows.Select(i => new ScoredRow(i, "data.jsonl", i, i + 1, "h" + i, new SampleScore(i, 0.2 * i, 3, 1, 1, [1.0], 0, false, null))).ToList(),
        rows.Select(i => new RankedSuspect(i, new SuspectText("data.jsonl", i + 1, 0.2 * i, 3, "p", "r"))).Reverse().ToList(),
        TimeSpan.FromSeconds(index + 1), RowsFromCache: 0);

    [Fact]
    public void CombinedShardsDecideLikeOneScan()
    {
        var combined = DatasetScanner.Combine([Part(1, 2, 2, 3), Part(0, 2, 0, 1)]);
        Assert.Equal([0L, 1, 2, 3], combined.Rows.Select(r => r.GlobalIndex));
        Assert.Null(combined.Options.Shard);
        var result = DatasetScanner.Decide(combined);
        Assert.Equal([false, false, false, true], result.Rows.Select(r => r.Verdict.Flagged));
        Assert.Equal([0.6000000000000001, 0.4, 0.2, 0.0], result.TopSuspects.Select(s => s.Score));
    }

    [Fact]
    public void MissingOrRepeatedRowsAreRefused()
    {
        Assert.Contains("in no shard", Assert.Throws<ArgumentException>(() => DatasetScanner.Combine([Part(0, 2, 0, 1)])).Message, StringComparison.Ordinal);
        Assert.Contains("more than one shard", Assert.Throws<ArgumentException>(() => DatasetScanner.Combine([Part(0, 2, 0, 1, 2), Part(1, 2, 2, 3)])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AShardAloneCannotBeDecided() =>
        Assert.Contains("combine all shards", Assert.Throws<ArgumentException>(() => DatasetScanner.Decide(Part(0, 2, 0, 1))).Message, StringComparison.Ordinal);

    [Fact]
    public void ShardsComputedInDifferentDTypesAreRefused()
    {
        var float32 = Part(0, 2, 0, 1);
        var bfloat16 = Part(1, 2, 2, 3);
        float32 = float32 with { Options = float32.Options with { DType = TorchSharp.torch.ScalarType.Float32 } };
        bfloat16 = bfloat16 with { Options = bfloat16.Options with { DType = TorchSharp.torch.ScalarType.BFloat16 } };
        var error = Assert.Throws<ArgumentException>(() => DatasetScanner.Combine([float32, bfloat16]));
        Assert.Contains("different dtypes (float32 vs bfloat16)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardsThatReadDifferentDataAreRefusedNamingTheBlock()
    {
        var first = Part(0, 2, 0, 1) with { Options = Part(0, 2).Options with { Scoring = new ScoringOptions { Window = 2 } }, BlockHashes = ["a", "b"] };
        var second = Part(1, 2, 2, 3) with { Options = first.Options with { Shard = new ScanShard(1, 2) }, BlockHashes = ["a", "c"] };
        var error = Assert.Throws<ArgumentException>(() => DatasetScanner.Combine([first, second]));
        Assert.Contains("different data in rows 2 to 3 (block 1 of 2 rows)", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, DatasetScanner.Combine([first, second with { BlockHashes = ["a", "b"] }]).Rows.Count);
    }

    [Fact]
    public void BlockHashesCoverEveryRowInBlocksAndChangeWithAnyRow()
    {
        static IReadOnlyList<string> Hash(int window, params string[] rows)
        {
            using var hasher = new DataBlockHasher(window);
            foreach (var row in rows) hasher.Add(DatasetScanner.HashRow(row));
            return hasher.Blocks();
        }
        var blocks = Hash(2, "a", "b", "c");
        Assert.Equal(2, blocks.Count);
        Assert.Equal(blocks[0], Hash(2, "a", "b", "x")[0]);
        Assert.NotEqual(blocks[1], Hash(2, "a", "b", "x")[1]);
        Assert.NotEqual(blocks[0], Hash(2, "b", "a", "c")[0]);
    }

    /// <summary>Report memory flat with rows (issue 16, item 11): a verdict composes its reason when asked, not when decided.</summary>
    [Fact]
    public void DecidingKeepsNoReasonTextPerRow()
    {
        const int n = 20_000;
        var rows = Enumerable.Range(0, n).Select(i => new ScoredRow(i, "data.jsonl", i, i + 1, DatasetScanner.HashRow(i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new SampleScore(i, i % 7 / 7.0, 3, 1, 1, [1.0], 0, false, null) { ReferenceScore = i % 7 / 7.0 })).ToList();
        var scored = new ScoredDataset(["data.jsonl"], "/model", "hash", "lm_head-closed-form", new ScanOptions { ModelDirectory = "/model", Threshold = "0.5" },
            n, rows, [], TimeSpan.Zero, 0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = DatasetScanner.Decide(scored);
        var perRow = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)n;
        // A row and a verdict that point at the score (about 200 bytes with the lists); a reason sentence adds hundreds more.
        Assert.True(perRow < 400, $"deciding allocated {perRow:0} bytes a row");
        Assert.Equal("reference score 0.8571 > threshold 0.5000 (fixed); 3 answer tokens cap the score at 0.396", result.Rows[6].Verdict.Reason);
        Assert.Equal(result.Rows[6].Verdict, new Verdicts.RowVerdict(6, true, false, result.Rows[6].Verdict.Reason));
        Assert.Equal(rows[5].RowHash, result.Rows[5].RowHash);
    }
}
