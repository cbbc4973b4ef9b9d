using GradSentry.Lab.Data;
using GradSentry.Lab.Tokenizers;
using GradSentry.Tests.Support;
using GradSentry.Tokenization;

namespace GradSentry.Lab.Tests.Tokenizers;

public class BpeTrainerTests
{
    [Fact]
    public void TheMostFrequentPairIsMergedFirst()
    {
        // "aaab aaab ab": pieces "aaab", "Ġaaab", "Ġab" (Ġ = space). Pair counts: a a = 4, a b = 3, Ġ a = 2 -> "a a" first.
        var model = BpeTrainer.Train(["aaab aaab ab"], 260 + 1);
        Assert.Equal([("a", "a")], model.Merges);
        Assert.Equal("aa", model.Vocabulary[^1]);
    }

    [Fact]
    public void TiesGoToTheOrdinallySmallestPair()
    {
        // "xy" and "ab" each once per piece, twice overall: "a b" < "x y".
        var model = BpeTrainer.Train(["ab xy ab xy"], 260 + 1);
        Assert.Equal(("a", "b"), model.Merges[0]);
    }

    [Fact]
    public void TrainingStopsWhenNoPairRepeats()
    {
        var model = BpeTrainer.Train(["abc"], 4096);
        Assert.Empty(model.Merges);
        Assert.Equal(260, model.Vocabulary.Count);
    }

    [Fact]
    public void SpecialsComeFirstThenBytes()
    {
        var model = BpeTrainer.Train(["hello"], 260);
        Assert.Equal(["<unk>", "<s>", "</s>", "<pad>"], model.Vocabulary.Take(4));
        Assert.Equal("Ā", model.Vocabulary[4]); // byte 0
        Assert.Equal("A", model.Vocabulary[4 + 'A']);
    }

    [Fact]
    public void SameCorpusSameModel()
    {
        var texts = SyntheticQa.Generate(100, 3).Select(p => p.Question + " " + p.Answer).ToList();
        var a = BpeTrainer.Train(texts, 400);
        var b = BpeTrainer.Train(texts, 400);
        Assert.Equal(a.Merges, b.Merges);
        Assert.Equal(400, a.Vocabulary.Count);
    }

    [Fact]
    public void WrittenTokenizerLoadsInCoreAndEncodesLikeTheTrainer()
    {
        var texts = SyntheticQa.Generate(300, 5).Select(p => p.Question + " " + p.Answer).ToList();
        var model = BpeTrainer.Train(texts, 600);
        using var dir = TestPaths.NewTempDirectory();
        BpeTokenizerFiles.Write(dir.Path, model);
        var tokenizer = HfTokenizer.Load(dir.Path);
        Assert.Equal(600, tokenizer.VocabSize);
        Assert.Equal(1, tokenizer.BosTokenId);
        Assert.Equal(2, tokenizer.EosTokenId);
        Assert.Equal(3, tokenizer.PadTokenId);
        Assert.True(tokenizer.AddBosToken);
        foreach (var text in texts.Take(50).Append("Ünïcode ☃ and 'quotes' 1999\n\n\n\n### Answer: "))
        {
            Assert.Equal(model.Encode(text), tokenizer.EncodeText(text));
            Assert.Equal(text, tokenizer.Decode(tokenizer.EncodeText(text)));
        }
        Assert.True(tokenizer.EncodeText(texts[0]).Count < System.Text.Encoding.UTF8.GetByteCount(texts[0]));
    }
}
