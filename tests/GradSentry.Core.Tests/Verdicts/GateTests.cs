using GradSentry.Verdicts;

namespace GradSentry.Tests.Gates;

/// <summary>The one gate rule that the engine's result and the tool's report share.</summary>
public class GateTests
{
    [Theory]
    [InlineData(0, 100, 0, 0.0, true)]    // nothing suspect
    [InlineData(1, 100, 0, 0.0, false)]   // the default limit 0: any suspect fails
    [InlineData(1, 10, 0, 0.1, true)]     // exactly at the limit
    [InlineData(2, 10, 0, 0.1, false)]
    [InlineData(0, 100, 1, 0.5, false)]   // a row that could not be scored fails the gate
    [InlineData(0, 0, 0, 0.0, true)]      // nothing evaluated, nothing failed
    [InlineData(0, 0, 3, 0.0, false)]     // nothing could be scored
    public void TheGatePassesOnlyWithinTheLimitAndWithEveryRowScored(long suspects, long evaluated, long failed, double limit, bool passes) =>
        Assert.Equal(passes, DatasetSummary.GatePasses(suspects, evaluated, failed, limit));
}
