using System.Text.Json.Nodes;
using GradSentry.Models.Layers;
using static TorchSharp.torch;

namespace GradSentry.Tests.Models.Layers;

public class RotaryEmbeddingTests
{
    [Fact]
    public void InverseFrequenciesAreOneOverThetaToTheTwoIOverD()
    {
        var rope = new RotaryEmbedding(8, 10000);
        double[] expected = [1, Math.Pow(10000, -0.25), Math.Pow(10000, -0.5), Math.Pow(10000, -0.75)];
        Assert.Equal(expected.Length, rope.InverseFrequencies.Count);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], rope.InverseFrequencies[i], 1e-7);
    }

    [Fact]
    public void RotationIsIdentityAtPositionZeroAndPreservesPairNorms()
    {
        var rope = new RotaryEmbedding(8, 100);
        var (cos, sin) = rope.Tables(5, ScalarType.Float32, CPU);
        using var c = cos;
        using var s = sin;
        using var x = randn(1, 2, 5, 8);
        using var y = RotaryEmbedding.Apply(x, c, s);
        Assert.True(ModelTestKit.MaxAbsDiff(y[.., .., 0], x[.., .., 0]) <= 1e-7);
        // rotate_half pairs element i with i + d/2.
        using var before = x[.., .., .., ..4].pow(2).add(x[.., .., .., 4..].pow(2));
        using var after = y[.., .., .., ..4].pow(2).add(y[.., .., .., 4..].pow(2));
        Assert.True(ModelTestKit.MaxAbsDiff(before, after) <= 1e-5);
        // Position 1, pair 0 (frequency 1): (x0, x4) rotated by 1 radian.
        var x0 = x[0, 0, 1, 0].item<float>();
        var x4 = x[0, 0, 1, 4].item<float>();
        Assert.Equal(x0 * Math.Cos(1) - x4 * Math.Sin(1), y[0, 0, 1, 0].item<float>(), 1e-5);
        Assert.Equal(x4 * Math.Cos(1) + x0 * Math.Sin(1), y[0, 0, 1, 4].item<float>(), 1e-5);
    }

    [Fact]
    public void Llama3ScalingDividesLowFrequenciesAndKeepsHighOnes()
    {
        var plain = new RotaryEmbedding(64, 500000);
        var scaled = new RotaryEmbedding(64, 500000, new JsonObject
        {
            ["rope_type"] = "llama3",
            ["factor"] = 8.0,
            ["low_freq_factor"] = 1.0,
            ["high_freq_factor"] = 4.0,
            ["original_max_position_embeddings"] = 8192,
        });
        for (var i = 0; i < 32; i++)
        {
            var wavelength = 2 * Math.PI / plain.InverseFrequencies[i];
            if (wavelength < 8192 / 4.0) Assert.Equal(plain.InverseFrequencies[i], scaled.InverseFrequencies[i]);
            else if (wavelength > 8192 / 1.0) Assert.Equal(plain.InverseFrequencies[i] / 8, scaled.InverseFrequencies[i], 1e-9);
            else Assert.InRange(scaled.InverseFrequencies[i], plain.InverseFrequencies[i] / 8 * 0.999, plain.InverseFrequencies[i] * 1.001);
        }
        Assert.NotEqual(plain.InverseFrequencies[^1], scaled.InverseFrequencies[^1]);
    }

    [Fact]
    public void UnsupportedRopeScalingIsRefused()
    {
        var error = Assert.Throws<InvalidDataException>(() => new RotaryEmbedding(8, 10000, new JsonObject { ["rope_type"] = "yarn", ["factor"] = 4.0 }));
        Assert.Contains("yarn", error.Message);
        Assert.Contains("llama3", error.Message);
    }
}
