using System.Text.Json.Nodes;
using GradSentry.Models;

namespace GradSentry.Tests.Models;

public class ModelConfigTokenIdTests
{
    static ModelConfig With(JsonNode? bos, JsonNode? eos)
    {
        var json = ModelTestKit.ConfigJson("LlamaForCausalLM");
        json["bos_token_id"] = bos;
        json["eos_token_id"] = eos;
        return ModelConfig.FromJson(json, "config.json");
    }

    [Fact]
    public void TokenIdZeroIsAValidBosOrEos()
    {
        var config = With(0, 0);
        Assert.Equal(0, config.BosTokenId);
        Assert.Equal(0, config.EosTokenId);
    }

    [Fact]
    public void NegativeTokenIdMeansNone() => Assert.Null(With(-1, 2).BosTokenId);

    [Fact]
    public void NonIntegerTokenIdIsAnErrorNamingTheField() =>
        Assert.Contains("bos_token_id", Assert.Throws<InvalidDataException>(() => With("x", 2)).Message);
}
