using GradSentry.Lab;
using GradSentry.Lab.TinyModels;
using GradSentry.Models;
using GradSentry.Tests.Support;
using static TorchSharp.torch;

namespace GradSentry.Lab.Tests.TinyModels;

public class CreateTinyModelTests
{
    static readonly string[] Files =
        ["README.md", "config.json", "model.safetensors", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"];

    static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = LabCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void TwoRunsWriteIdenticalBytesThatLoad()
    {
        using var dir = TestPaths.NewTempDirectory();
        var first = Path.Combine(dir.Path, "a");
        var second = Path.Combine(dir.Path, "b");
        Assert.Equal(0, Run("create-tiny-model", "--output", first, "--seed", "1").Code);
        Assert.Equal(0, Run("create-tiny-model", "--output", second).Code);
        Assert.Equal(Files, Directory.GetFiles(first).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in Files)
            Assert.True(File.ReadAllBytes(Path.Combine(first, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second, name))), name);
        Assert.InRange(new FileInfo(Path.Combine(first, "model.safetensors")).Length, 1_000_000, 25_000_000);

        using var model = CausalLmLoader.Load(first);
        Assert.Equal("LlamaForCausalLM", model.Config.Architecture);
        Assert.False(model.Config.TieWordEmbeddings);
        Assert.Equal(259, model.Config.VocabSize);
        using var ids = tensor(new long[] { 256, 72, 105, 257 }, [1, 4]);
        using var noGrad = no_grad();
        using var hidden = model.ForwardHidden(ids);
        using var logits = model.Logits(hidden);
        Assert.Equal([1L, 4L, 259L], logits.shape);
        using var spread = logits.std();
        Assert.InRange(spread.item<float>(), 2f, 50f); // the sharp lm_head (std 1) makes peaked outputs
    }

    [Fact]
    public void DifferentSeedsGiveDifferentWeights()
    {
        using var dir = TestPaths.NewTempDirectory();
        Assert.Equal(0, Run("create-tiny-model", "--output", dir.File("a"), "--seed", "1").Code);
        Assert.Equal(0, Run("create-tiny-model", "--output", dir.File("b"), "--seed", "2").Code);
        Assert.False(File.ReadAllBytes(Path.Combine(dir.File("a"), "model.safetensors")).AsSpan()
            .SequenceEqual(File.ReadAllBytes(Path.Combine(dir.File("b"), "model.safetensors"))));
        Assert.Contains("seeded with 2", File.ReadAllText(Path.Combine(dir.File("b"), "README.md")));
    }

    [Theory]
    [InlineData("config.json")]
    [InlineData("tokenizer.json")]
    [InlineData("tokenizer_config.json")]
    [InlineData("special_tokens_map.json")]
    public void ConfigAndTokenizerFilesMirrorTheGoldenModel(string name)
    {
        using var dir = TestPaths.NewTempDirectory();
        TinyModelDirectory.Create(dir.Path, seed: 1);
        Assert.Equal(File.ReadAllText(Path.Combine(TestPaths.GoldenModel("tiny-llama"), name)), File.ReadAllText(dir.File(name)));
    }

    [Fact]
    public void ByteAlphabetIsGpt2sBytesToUnicode()
    {
        var alphabet = ByteTokenizerFiles.ByteAlphabet();
        Assert.Equal(256, alphabet.Distinct().Count());
        Assert.Equal('Ā', alphabet[0]);
        Assert.Equal('Ġ', alphabet[' ']);
        Assert.Equal('A', alphabet['A']);
        Assert.Equal('ÿ', alphabet[255]);
        Assert.Equal('Ń', alphabet[0xAD]);
    }

    [Fact]
    public void ReplacedWeightsAreWhatLoads()
    {
        using var dir = TestPaths.NewTempDirectory();
        TinyModelDirectory.Create(dir.Path, seed: 1);
        using (var other = TinyLlamaRecipe.Create(seed: 5))
            TinyModelDirectory.ReplaceWeights(dir.Path, other, "Pre-trained for 0 steps (test).");
        using var expected = TinyLlamaRecipe.Create(seed: 5);
        using var loaded = CausalLmLoader.Load(dir.Path);
        Assert.Contains("Pre-trained for 0 steps (test).", File.ReadAllText(dir.File("README.md")));
        foreach (var ((name, a), (_, b)) in expected.Network.named_parameters().Zip(loaded.Network.named_parameters()))
        {
            using var same = a.equal(b).all();
            Assert.True(same.item<bool>(), name);
        }
    }

    [Theory]
    [InlineData(new string[0], "usage")]
    [InlineData(new[] { "train-everything" }, "unknown command")]
    [InlineData(new[] { "create-tiny-model" }, "'--output' is required")]
    [InlineData(new[] { "create-tiny-model", "--output", "x", "--seed", "-3" }, "non-negative integer")]
    [InlineData(new[] { "create-tiny-model", "--outptu", "x" }, "unknown option")]
    public void BadArgumentsExitWithUsageError(string[] args, string message)
    {
        var (code, _, error) = Run(args);
        Assert.Equal(LabCli.UsageError, code);
        Assert.Contains(message, error);
    }
}
