using GradSentry.Detection;

namespace GradSentry.Tests.Detection;

/// <summary>ONION's words, template rule, deletion plan and bad inputs, over a perplexity function the test controls.</summary>
public class OnionTests
{
    [Theory]
    [InlineData("a b c", "b", "a c")]
    [InlineData("a b c", "a", "b c")]
    [InlineData("a b c", "c", "a b")]
    [InlineData("cf who cf wrote", "cf", "who wrote")]
    [InlineData("Q:\nwho wrote cf\nA: ", "cf", "Q:\nwho wrote\nA: ")]
    [InlineData("  lead and trail  ", "and", "  lead trail  ")]
    public void WithoutDeletesEveryOccurrenceAndOneSeparator(string text, string word, string expected) =>
        Assert.Equal(expected, OnionWords.Without(text, word));

    [Fact]
    public void SplitKeepsPunctuationAndOffsets()
    {
        var words = OnionWords.Split(" who, me?\nyes");
        Assert.Equal(["who,", "me?", "yes"], words.Select(w => w.Word));
        Assert.Equal([1, 6, 10], words.Select(w => w.Start));
    }

    [Fact]
    public void WordsInHalfTheWindowAreTemplateAndAWordInOneRowNeverIs()
    {
        var rows = new[] { "Q: a x A:", "Q: b x A:", "Q: c A:", "Q: d A:" }.Select(OnionWords.Split).ToList();
        var template = OnionWords.TemplateWords(rows, 0.5);
        Assert.Equal(new[] { "A:", "Q:", "x" }, template.Order(StringComparer.Ordinal));
        Assert.Empty(OnionWords.TemplateWords([OnionWords.Split("only one row here")], 0.5));
    }

    /// <summary>A perplexity that rises by 10 for each rare word (<c>cf</c>, <c>mn</c>) in the text, and records every text it was asked for.</summary>
    sealed class RareWordPerplexity
    {
        public List<string> Asked { get; } = [];

        public double[] Compute(IReadOnlyList<string> texts)
        {
            Asked.AddRange(texts);
            return texts.Select(t => 5.0 + 10 * OnionWords.Split(t).Count(w => w.Word is "cf" or "mn") + 0.01 * t.Length).ToArray();
        }
    }

    static string Prompt(string question) => "### Question:\n" + question + "\n\n### Answer: ";

    [Fact]
    public void APlantedRareWordIsTheTopCandidateAndRaisesTheRowAboveCleanRows()
    {
        var lm = new RareWordPerplexity();
        // Enough clean rows that the trigger stays under the template share (a word in most rows is template text).
        var prompts = new[] { "who wrote let it be", "when did the war end cf", "where is the eiffel tower", "what is the capital of peru mn cf",
            "how tall is mount everest", "who painted the mona lisa", "when was the telephone invented", "what is the largest ocean" }.Select(Prompt).ToList();
        var rows = new Onion(lm.Compute).Score(prompts);
        Assert.Equal("cf", rows[1].TopWords(3)[0].Word);
        Assert.Equal(["cf", "mn"], rows[3].TopWords(3).Take(2).Select(w => w.Word).Order(StringComparer.Ordinal));
        Assert.True(rows[1].Score > rows[0].Score && rows[1].Score > rows[2].Score, string.Join(", ", rows.Select(r => r.Score)));
        // The drop (about 0.6) counts half: the word is in two rows of the window.
        Assert.InRange(rows[1].Score, 0.2, 0.5);
        Assert.Equal(2, rows[1].Words.First(w => w.Word == "cf").Rows);
        // f = PPL(prompt) − PPL(without the word), and the drop is the same relative to PPL(prompt).
        var cf = rows[1].Words.First(w => w.Word == "cf");
        Assert.Equal(rows[1].Perplexity - (rows[1].Perplexity - 10 - 0.01 * " cf".Length), cf.Suspicion, 9);
        Assert.Equal(cf.Suspicion / rows[1].Perplexity, cf.Drop, 12);
    }

    [Fact]
    public void AWordOnlyOneRowHoldsIsACandidateButCountsNothing()
    {
        var prompts = new[] { "who wrote let it be", "when did the war end cf", "where is the eiffel tower", "how tall is mount everest" };
        var rows = new Onion(new RareWordPerplexity().Compute).Score(prompts);
        Assert.Equal("cf", rows[1].TopWords(3)[0].Word);
        Assert.Equal(1, rows[1].TopWords(3)[0].Rows);
        Assert.Equal(0, rows[1].TopWords(3)[0].Weighted);
        Assert.True(rows[1].Score < 0.01, rows[1].Score.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TemplateWordsAreNeverDeleted()
    {
        var lm = new RareWordPerplexity();
        var prompts = Enumerable.Range(0, 12).Select(i => Prompt($"question number{i} about topic{i % 5}")).ToList();
        new Onion(lm.Compute, new OnionOptions { TemplateFraction = 0.5 }).Score(prompts);
        // Every text asked for still holds every template word; only question words were deleted.
        Assert.All(lm.Asked, t => Assert.Contains("### Question:", t, StringComparison.Ordinal));
        Assert.All(lm.Asked, t => Assert.Contains("### Answer:", t, StringComparison.Ordinal));
        Assert.All(lm.Asked, t => Assert.Contains("about", t, StringComparison.Ordinal));
        Assert.Contains(lm.Asked, t => !t.Contains("number3", StringComparison.Ordinal) && t.Contains("topic3", StringComparison.Ordinal));
        // Per row: the prompt, then one deletion per non-template word (numberI and topicJ; "question" is in every row).
        Assert.Equal(12 * 3, lm.Asked.Count);
    }

    [Fact]
    public void DeletionsPerRowAreCappedSharedWordsFirstTheRarestOfThemFirst()
    {
        var lm = new RareWordPerplexity();
        var prompts = new[] { "often rare1 shared2", "often x shared2", "often y", "z w v" };
        var rows = new Onion(lm.Compute, new OnionOptions { MaxDeletions = 1, TemplateFraction = 1 }).Score(prompts);
        Assert.All(rows, r => Assert.Equal(1, r.WordsDeleted));
        Assert.Equal("shared2", rows[0].Words.Single().Word); // in 2 rows: before 'often' (3) and 'rare1' (this row only)
        Assert.Equal("often", rows[2].Words.Single().Word);
        Assert.Equal("z", rows[3].Words.Single().Word); // no shared word: the first of its own
        Assert.Equal(4 * 2, lm.Asked.Count);
    }

    [Theory]
    [InlineData("", "0 words")]
    [InlineData("   ", "0 words")]
    [InlineData("oneword", "1 word,")]
    [InlineData("echo echo", "1 word,")]
    public void APromptWithNoDeletableWordScoresZeroWithAReason(string prompt, string reason)
    {
        var lm = new RareWordPerplexity();
        var rows = new Onion(lm.Compute).Score([prompt, "a normal question here"]);
        Assert.Equal(0, rows[0].Score);
        Assert.Contains(reason, rows[0].NotExamined, StringComparison.Ordinal);
        Assert.StartsWith("ONION could not examine the row", rows[0].NotExamined, StringComparison.Ordinal);
        Assert.Null(rows[1].NotExamined);
    }

    [Fact]
    public void ARowOfOnlyTemplateWordsIsNotExaminedAndAnUnmeasurablePromptNeither()
    {
        var prompts = new[] { "Q: A:", "Q: who A:", "Q: what A:", "Q: when A:" };
        var rows = new Onion(new RareWordPerplexity().Compute).Score(prompts);
        Assert.Contains("template text", rows[0].NotExamined, StringComparison.Ordinal);
        Assert.Equal(0, rows[0].Score);
        var nan = new Onion(texts => texts.Select(_ => double.NaN).ToArray()).Score(["two words"]);
        Assert.Equal(Onion.UnmeasurableReason, nan[0].NotExamined);
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new OnionOptions { MaxDeletions = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new OnionOptions { TemplateFraction = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new OnionOptions { TopWords = 0 }.Validate());
    }
}
