using GradSentry.Scoring;

namespace GradSentry.Tests.Scoring;

public class OutputGroupTests
{
    static EncodedSample Sample(int id, int answer) => new(id, [.. Enumerable.Range(0, 3 + answer)], 3, answer);

    [Fact]
    public void GroupsStayWithinTheBudgetAndCarryTheirRowRanges()
    {
        EncodedSample[] batch = [Sample(0, 4), Sample(1, 5), Sample(2, 12), Sample(3, 3), Sample(4, 6)];
        var groups = OutputGroup.Split(batch, maxElements: 10 * 100, vocabulary: 100); // 10 answer tokens per group
        Assert.Equal([[0, 1], [2], [3, 4]], groups.Select(g => g.Samples.Select(s => (int)s.Id).ToArray()));
        Assert.Equal([(0L, 9L), (9L, 12L), (21L, 9L)], groups.Select(g => (g.FirstRow, g.Rows)));
    }

    [Fact]
    public void ABudgetAboveTheBatchGivesOneGroup()
    {
        EncodedSample[] batch = [Sample(0, 4), Sample(1, 5)];
        var group = Assert.Single(OutputGroup.Split(batch, new ProbeOptions().MaxOutputElements, 32000));
        Assert.Equal((0L, 9L), (group.FirstRow, group.Rows));
    }

    [Fact]
    public void ImpossibleBudgetsAreErrors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OutputGroup.Split([Sample(0, 1)], 0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => OutputGroup.Split([Sample(0, 1)], 10, 0));
        Assert.Throws<ArgumentException>(() => new ProbeOptions { MaxOutputElements = 0 }.Validate());
    }
}
