using GradSentry.Scanning;

namespace GradSentry.Tests.Scanning;

public class ScanShardTests
{
    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("2/4", 2, 4)]
    [InlineData(" 3 / 8 ", 3, 8)]
    public void ShardsParseFromIndexSlashCount(string text, int index, int count) => Assert.Equal(new ScanShard(index, count), ScanShard.Parse(text));

    [Theory]
    [InlineData("4/4")]
    [InlineData("-1/4")]
    [InlineData("1/0")]
    [InlineData("1")]
    [InlineData("a/b")]
    public void ImpossibleShardsAreRejected(string text) => Assert.Contains("i/n", Assert.Throws<FormatException>(() => ScanShard.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void ShardsTakeWholeBlocksInTurnAndCoverEveryRowOnce()
    {
        var shards = Enumerable.Range(0, 3).Select(i => new ScanShard(i, 3)).ToList();
        for (long row = 0; row < 100; row++)
            Assert.Single(shards, s => s.Contains(row, blockRows: 8));
        Assert.True(shards[0].Contains(7, 8));
        Assert.True(shards[1].Contains(8, 8));
        Assert.True(shards[0].Contains(24, 8));
    }
}
