using GradSentry.Models;
using GradSentry.Models.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Tests.Models;

/// <summary><see cref="ICausalLm.ForwardHiddenAt"/>: the last layer at chosen positions equals the whole model's rows there.</summary>
public class ForwardHiddenAtTests
{
    /// <summary>Every position of every row, in a scrambled order with repeats, so rotary tables and masks must follow each query.</summary>
    static Tensor Positions(int batch, int length, int count, int seed)
    {
        var random = new Random(seed);
        var data = new long[batch * count];
        for (var i = 0; i < data.Length; i++) data[i] = i % count < length ? (i * 7 + 3) % length : random.Next(length);
        return tensor(data, [batch, count]);
    }

    [Theory]
    [InlineData("LlamaForCausalLM", false)]
    [InlineData("LlamaForCausalLM", true)]
    [InlineData("Qwen2ForCausalLM", false)]
    [InlineData("MistralForCausalLM", false)]
    [InlineData("GPT2LMHeadModel", false)]
    [InlineData("GPT2LMHeadModel", true)]
    public void RowsAtChosenPositionsEqualTheFullForward(string architecture, bool tied)
    {
        using var model = ModelTestKit.RandomModel(architecture, tied);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = ModelTestKit.Ids(3, 17, seed: 5);
        var positions = Positions(3, 17, 23, seed: 1);
        var full = model.ForwardHidden(ids);
        var expected = full.gather(1, positions.unsqueeze(2).expand(-1, -1, full.shape[2]));
        var actual = model.ForwardHiddenAt(ids, positions);
        Assert.True(ModelTestKit.MaxAbsDiff(expected, actual) < 1e-5, $"max |diff| {ModelTestKit.MaxAbsDiff(expected, actual):g3}");
    }

    [Theory]
    [InlineData("LlamaForCausalLM", 1)]
    [InlineData("LlamaForCausalLM", 9)]
    [InlineData("MistralForCausalLM", 6)]
    [InlineData("Qwen2ForCausalLM", 6)]
    [InlineData("GPT2LMHeadModel", 1)]
    [InlineData("GPT2LMHeadModel", 9)]
    public void ASharedPrefixComputedOnceGivesTheFullForwardsRows(string architecture, int shared)
    {
        using var model = ModelTestKit.RandomModel(architecture);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = ModelTestKit.Ids(4, 15, seed: 6);
        ids.narrow(1, 0, shared).copy_(ids.narrow(0, 0, 1).narrow(1, 0, shared).expand(4, -1));
        var positions = Positions(4, 15 - shared, 8, seed: 2).add(shared);
        var full = model.ForwardHidden(ids);
        var expected = full.gather(1, positions.unsqueeze(2).expand(-1, -1, full.shape[2]));
        var actual = model.ForwardHiddenAt(ids, positions, shared);
        Assert.True(ModelTestKit.MaxAbsDiff(expected, actual) < 1e-5, $"max |diff| {ModelTestKit.MaxAbsDiff(expected, actual):g3}");
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void HalfPrecisionModelsTakeTheSamePaths(ScalarType dtype)
    {
        using var dir = GradSentry.Tests.Support.TestPaths.NewTempDirectory();
        ModelTestKit.SaveRandomModel(dir.Path, "LlamaForCausalLM");
        using var half = CausalLmLoader.Load(dir.Path, new CausalLmLoadOptions { ComputeDType = dtype });
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = ModelTestKit.Ids(3, 12, seed: 3);
        ids.narrow(1, 0, 5).copy_(ids.narrow(0, 0, 1).narrow(1, 0, 5).expand(3, -1));
        var positions = Positions(3, 7, 4, seed: 5).add(5);
        var full = half.ForwardHidden(ids);
        var expected = full.gather(1, positions.unsqueeze(2).expand(-1, -1, full.shape[2]));
        var actual = half.ForwardHiddenAt(ids, positions, 5);
        Assert.Equal(dtype, actual.dtype);
        var scale = expected.abs().max().to(ScalarType.Float32).item<float>();
        Assert.True(ModelTestKit.MaxAbsDiff(expected, actual) <= 0.02 * scale, $"max |diff| {ModelTestKit.MaxAbsDiff(expected, actual):g3} of {scale:g3}");
    }

    [Theory]
    [InlineData("LlamaForCausalLM")]
    [InlineData("GPT2LMHeadModel")]
    public void RandomBatchesWithRandomSharedPrefixesMatchTheFullForward(string architecture)
    {
        // Edge cases on purpose: one query per row, a prefix that ends right before the first query, one suffix token.
        using var model = ModelTestKit.RandomModel(architecture);
        var random = new Random(11);
        for (var trial = 0; trial < 25; trial++)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var batch = random.Next(1, 6);
            var length = random.Next(2, 20);
            var shared = random.Next(0, length);
            var ids = ModelTestKit.Ids(batch, length, seed: trial);
            if (shared > 0) ids.narrow(1, 0, shared).copy_(ids.narrow(0, 0, 1).narrow(1, 0, shared).expand(batch, -1));
            var queries = random.Next(1, 5);
            var data = new long[batch * queries];
            for (var i = 0; i < data.Length; i++) data[i] = random.Next(shared, length);
            var positions = tensor(data, [batch, queries]);
            var full = model.ForwardHidden(ids);
            var expected = full.gather(1, positions.unsqueeze(2).expand(-1, -1, full.shape[2]));
            var actual = model.ForwardHiddenAt(ids, positions, shared);
            Assert.True(ModelTestKit.MaxAbsDiff(expected, actual) < 1e-5, $"trial {trial}: batch {batch}, length {length}, shared {shared}");
        }
    }

    [Fact]
    public void ASharedPrefixTheRowsDoNotShareOrAQueryInsideItIsAClearError()
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        using var scope = NewDisposeScope();
        var ids = ModelTestKit.Ids(2, 10, seed: 1);
        ids[1, 0] = (ids[0, 0] + 1) % ModelTestKit.Vocab;
        var positions = tensor(new long[] { 5, 6, 7, 8 }, [2, 2]);
        Assert.Contains("not the same in every row", Assert.Throws<ArgumentException>(() => model.ForwardHiddenAt(ids, positions, 3)).Message, StringComparison.Ordinal);
        ids[1, 0] = ids[0, 0];
        ids[1, 1] = ids[0, 1];
        ids[1, 2] = ids[0, 2];
        Assert.Contains("shared prefix", Assert.Throws<ArgumentException>(() => model.ForwardHiddenAt(ids, tensor(new long[] { 2, 6, 7, 8 }, [2, 2]), 3)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ForwardHiddenAt(ids, positions, 10));
    }

    [Fact]
    public void ALoraPairOnTheLastLayerTakesPart()
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        LoraAttacher.AttachFresh(model, ["q_proj", "o_proj", "down_proj"], r: 2, alpha: 4, seed: 3);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, p) in model.Network.named_parameters())
            if (name.Contains("lora_B", StringComparison.Ordinal)) p.copy_(randn(p.shape, generator: new Generator(2)) * 0.5);
        var ids = ModelTestKit.Ids(2, 11, seed: 8);
        var positions = Positions(2, 11, 6, seed: 4);
        var full = model.ForwardHidden(ids);
        var expected = full.gather(1, positions.unsqueeze(2).expand(-1, -1, full.shape[2]));
        Assert.True(ModelTestKit.MaxAbsDiff(expected, model.ForwardHiddenAt(ids, positions)) < 1e-5);
    }

    [Theory]
    [InlineData(new long[] { 0, 11 }, "[0, 11)")]
    [InlineData(new long[] { -1, 2 }, "[0, 11)")]
    public void PositionsOutsideTheRowAreAClearError(long[] values, string expected)
    {
        using var model = ModelTestKit.RandomModel("LlamaForCausalLM");
        using var ids = ModelTestKit.Ids(1, 11);
        using var positions = tensor(values, [1, 2]);
        var error = Assert.Throws<ArgumentException>(() => model.ForwardHiddenAt(ids, positions));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PositionsOfTheWrongShapeOrTypeAreAClearError()
    {
        using var model = ModelTestKit.RandomModel("GPT2LMHeadModel");
        using var ids = ModelTestKit.Ids(2, 5);
        using var wrongBatch = zeros([3, 2], int64);
        using var wrongType = zeros([2, 2], int32);
        Assert.Contains("[2, Q]", Assert.Throws<ArgumentException>(() => model.ForwardHiddenAt(ids, wrongBatch)).Message, StringComparison.Ordinal);
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => model.ForwardHiddenAt(ids, wrongType)).Message, StringComparison.Ordinal);
    }
}
