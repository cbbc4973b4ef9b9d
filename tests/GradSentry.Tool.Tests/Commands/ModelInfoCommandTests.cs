using System.Text.Json;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary><c>model info</c> on the golden byte-level tiny model (fixed counts, unlike the bundled model, which the lab retrains).</summary>
public class ModelInfoCommandTests
{
    static string TinyModel => Path.Combine(ToolProcess.RepoRoot, "tests", "fixtures", "golden", "models", "tiny-llama");

    [Fact]
    public void ModelInfoShowsArchitectureCountsTokenizerAndTargets()
    {
        var result = ToolProcess.Run(ToolProcess.RepoRoot, "model", "info", TinyModel);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("LlamaForCausalLM", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("parameters     429,440", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("stored F32; computed in float32 on the CPU", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("259 tokens", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("  lm_head.weight", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("  model.layers.1.mlp.down_proj.weight", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelInfoAsJsonListsTheTargetsWithShapes()
    {
        var result = ToolProcess.Run(ToolProcess.RepoRoot, "model", "info", TinyModel, "--format", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var targets = json.RootElement.GetProperty("targets").EnumerateArray().ToList();
        Assert.Equal(15, targets.Count);
        Assert.Contains(targets, t => t.GetProperty("name").GetString() == "lm_head.weight" && t.GetProperty("shape").GetString() == "259, 128");
        Assert.Equal(2, json.RootElement.GetProperty("layers").GetInt32());
    }

    [Fact]
    public void ModelInfoOfAFolderWithoutAModelIsGS2002()
    {
        using var folder = new TempFolder();
        var result = ToolProcess.Run(folder.Path, "model", "info", folder.Path);
        Assert.Equal(ExitCodes.UsageOrInputError, result.ExitCode);
        Assert.Contains("error GS2002", result.Stderr, StringComparison.Ordinal);
    }
}
