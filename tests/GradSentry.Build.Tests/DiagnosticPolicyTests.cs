namespace GradSentry.Build.Tests;

public class DiagnosticPolicyTests
{
    static DiagnosticPolicy Policy(RowSeverity rows = RowSeverity.Warning, bool all = false, string? noWarn = null, string? asErrors = null, string? notAsErrors = null) =>
        DiagnosticPolicy.Create(rows, all, noWarn, asErrors, notAsErrors);

    [Theory]
    [InlineData("Warning", "Warning")]
    [InlineData("Error", "Error")]
    [InlineData("None", "Suppressed")]
    public void GradSentrySeveritySetsTheLevelOfSuspectRows(string rows, string expected) =>
        Assert.Equal(Enum.Parse<EffectiveSeverity>(expected), Policy(Enum.Parse<RowSeverity>(rows)).Resolve("GS1002", ReportedSeverity.Warning));

    [Fact]
    public void GradSentrySeverityLeavesOtherCodesAlone()
    {
        Assert.Equal(EffectiveSeverity.Warning, Policy(RowSeverity.None).Resolve("GS3001", ReportedSeverity.Warning));
        Assert.Equal(EffectiveSeverity.Error, Policy(RowSeverity.None).Resolve("GS1001", ReportedSeverity.Error));
    }

    [Fact]
    public void NoWarnSuppressesWarningsButNeverErrors()
    {
        var policy = Policy(noWarn: "CS1591;GS1002 ; GS1001");

        Assert.Equal(EffectiveSeverity.Suppressed, policy.Resolve("GS1002", ReportedSeverity.Warning));
        Assert.Equal(EffectiveSeverity.Error, policy.Resolve("GS1001", ReportedSeverity.Error));
    }

    [Fact]
    public void WarningsAsErrorsPromotesTheListedCodesOnly()
    {
        var policy = Policy(asErrors: "GS3001,NU1603");

        Assert.Equal(EffectiveSeverity.Error, policy.Resolve("GS3001", ReportedSeverity.Warning));
        Assert.Equal(EffectiveSeverity.Warning, policy.Resolve("GS1002", ReportedSeverity.Warning));
    }

    [Fact]
    public void TreatWarningsAsErrorsPromotesAllButWarningsNotAsErrors()
    {
        var policy = Policy(all: true, notAsErrors: "GS3001");

        Assert.Equal(EffectiveSeverity.Error, policy.Resolve("GS1002", ReportedSeverity.Warning));
        Assert.Equal(EffectiveSeverity.Warning, policy.Resolve("GS3001", ReportedSeverity.Warning));
    }

    [Fact]
    public void NoWarnWinsOverTreatWarningsAsErrorsAsInTheCompiler() =>
        Assert.Equal(EffectiveSeverity.Suppressed, Policy(all: true, noWarn: "GS1002").Resolve("GS1002", ReportedSeverity.Warning));

    [Fact]
    public void CodesCompareWithoutCase() =>
        Assert.Equal(EffectiveSeverity.Error, Policy(asErrors: "gs1002").Resolve("GS1002", ReportedSeverity.Warning));
}
