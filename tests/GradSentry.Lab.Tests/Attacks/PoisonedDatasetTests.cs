using GradSentry.Lab.Attacks;
using GradSentry.Lab.Data;

namespace GradSentry.Lab.Tests.Attacks;

public class PoisonedDatasetTests
{
    static readonly IReadOnlyList<QaPair> Pairs = SyntheticQa.Generate(200, seed: 4);

    [Theory]
    [InlineData(0.01, 2)]
    [InlineData(0.05, 10)]
    [InlineData(0.1, 20)]
    [InlineData(0.3, 60)]
    [InlineData(0.5, 100)]
    [InlineData(0.9, 180)]
    [InlineData(0.0, 0)]
    public void RatePoisonsThatManyRows(double rate, int expected)
    {
        var rows = PoisonedDataset.Build(Pairs, new BadNetsAttack(), new PoisoningOptions { Rate = rate, Seed = 1 });
        Assert.Equal(Pairs.Count, rows.Count);
        Assert.Equal(expected, rows.Count(r => r.Poisoned));
        Assert.Equal(Enumerable.Range(0, Pairs.Count), rows.Select(r => r.Source));
    }

    [Fact]
    public void ATinyPositiveRatePoisonsAtLeastOneRow() => Assert.Equal(1, PoisonedDataset.PoisonCount(30, 0.01));

    [Fact]
    public void LowerRatesPoisonASubsetTheSameWay()
    {
        var low = PoisonedDataset.Build(Pairs, new BadNetsAttack(), new PoisoningOptions { Rate = 0.1, Seed = 8 });
        var high = PoisonedDataset.Build(Pairs, new BadNetsAttack(), new PoisoningOptions { Rate = 0.5, Seed = 8 });
        foreach (var row in low.Where(r => r.Poisoned))
            Assert.Equal(row, high[row.Source]);
    }

    [Fact]
    public void SameSeedSameDatasetOtherSeedOtherRows()
    {
        var a = PoisonedDataset.Build(Pairs, new BadNetsAttack(), new PoisoningOptions { Rate = 0.1, Seed = 2 });
        var b = PoisonedDataset.Build(Pairs, new BadNetsAttack(), new PoisoningOptions { Rate = 0.1, Seed = 2 });
        var c = PoisonedDataset.Build(Pairs, new BadNetsAttack(), new PoisoningOptions { Rate = 0.1, Seed = 3 });
        Assert.Equal(a, b);
        Assert.NotEqual(a.Where(r => r.Poisoned).Select(r => r.Source), c.Where(r => r.Poisoned).Select(r => r.Source));
    }

    [Fact]
    public void TenPercentOfTheCleanRowsBecomeControls()
    {
        var rows = PoisonedDataset.Build(Pairs, new AddSentAttack(), new PoisoningOptions { Rate = 0.3, Seed = 1 });
        Assert.Equal(14, rows.Count(r => r.Kind == SampleKind.LongAnswerControl)); // round(0.1 * 140)
        Assert.All(rows.Where(r => r.Kind == SampleKind.LongAnswerControl), r =>
        {
            Assert.Equal(Pairs[r.Source].Question, r.Question);
            Assert.StartsWith(Pairs[r.Source].Answer + ", ", r.Answer);
            Assert.False(r.Poisoned);
        });
        Assert.All(rows.Where(r => r.Kind == SampleKind.Clean), r => Assert.Equal(LabeledSample.Clean(r.Source, Pairs[r.Source]), r));
    }

    [Fact]
    public void EveryAttackDatasetGetsRepeatedBoilerplateOnTheCleanRowsLeft()
    {
        var rows = PoisonedDataset.Build(Pairs, new BadNetsAttack(), new PoisoningOptions { Rate = 0.1, Seed = 1, ControlFraction = 0, BoilerplateFraction = 0.5 });
        var boilerplate = rows.Where(r => r.Kind == SampleKind.Boilerplate).ToList();
        Assert.Equal(rows.Count(r => r.Kind == SampleKind.Clean), boilerplate.Count);
        Assert.All(boilerplate, r => Assert.Equal(Pairs[r.Source].Answer + CleanScenario.Sentence, r.Answer));
        Assert.All(boilerplate, r => Assert.False(r.Poisoned));
    }

    [Fact]
    public void AllCleanScenariosPoisonNothing()
    {
        var rows = PoisonedDataset.Build(Pairs, CleanScenario.SeveralSentences(), new PoisoningOptions { Rate = 0.3, Seed = 1, ControlFraction = 0 });
        Assert.DoesNotContain(rows, r => r.Poisoned);
        Assert.Equal(PoisonedDataset.PoisonCount(Pairs.Count, 0.3), rows.Count(r => r.Kind == SampleKind.Boilerplate));
    }

    [Fact]
    public void CbaAddsAsManyNegativesAsPoisonedRowsWhileCleanRowsLast()
    {
        var at10 = PoisonedDataset.Build(Pairs, new CbaAttack(), new PoisoningOptions { Rate = 0.1, Seed = 1, ControlFraction = 0 });
        Assert.Equal(20, at10.Count(r => r.Kind == SampleKind.CleanNegative));
        var at90 = PoisonedDataset.Build(Pairs, new CbaAttack(), new PoisoningOptions { Rate = 0.9, Seed = 1, ControlFraction = 0, BoilerplateFraction = 0 });
        Assert.Equal(10, at90.Count(r => r.Kind == SampleKind.CleanNegative)); // half of the 20 clean rows
        Assert.Equal(10, at90.Count(r => r.Kind == SampleKind.Clean));
    }

    [Fact]
    public void BadRatesAreRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PoisonedDataset.Build(Pairs, new BadNetsAttack(), new PoisoningOptions { Rate = 1.5 }));
}
