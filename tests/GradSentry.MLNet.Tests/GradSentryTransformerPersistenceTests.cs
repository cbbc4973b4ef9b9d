using GradSentry.MLNet.Tests.Support;
using Microsoft.ML;

namespace GradSentry.MLNet.Tests;

public class GradSentryTransformerPersistenceTests
{
    readonly MLContext _ml = new(seed: 1);

    static string CopyTinyModel(TempDirectory temp, string name)
    {
        var target = Path.Combine(temp.Path, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(TestPaths.TinyModel))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    [Fact]
    public void SaveAndLoadRoundTripOptionsModelAndScores()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 12));
        using var fitted = Pipelines.FitScorer(_ml, data, o => { o.OutputColumnName = "Entropy"; o.BatchSize = 4; o.Rank = 8; o.ReadAhead = 5; });
        using var stream = new MemoryStream();

        fitted.Save(stream);
        stream.Position = 0;
        using var loaded = GradSentryTransformer.Load(stream);

        Assert.Equal(fitted.ModelDirectory, loaded.ModelDirectory);
        Assert.Equal(fitted.ModelContentHash, loaded.ModelContentHash);
        Assert.Equal("Entropy", loaded.Options.OutputColumnName);
        Assert.Equal(4, loaded.Options.BatchSize);
        Assert.Equal(8, loaded.Options.Rank);
        Assert.Equal(5, loaded.Options.ReadAhead);
        Assert.Equal(Pipelines.Column<float>(fitted.Transform(data), "Entropy"), Pipelines.Column<float>(loaded.Transform(data), "Entropy"));
    }

    [Fact]
    public void TheSavedFileIsReadableJsonNamingTheModelAndItsHash()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 2));
        using var fitted = Pipelines.FitScorer(_ml, data);
        using var stream = new MemoryStream();

        fitted.Save(stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());

        Assert.Contains("\"format\": \"GradSentry.MLNet.GradSentryTransformer\"", text);
        Assert.Contains(fitted.ModelContentHash, text);
        Assert.Contains("tiny-llama", text);
        Assert.DoesNotContain("cancellationToken", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AMovedButUnchangedModelLoads()
    {
        using var temp = TestPaths.NewTempDirectory();
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 2));
        using var fitted = Pipelines.FitScorer(_ml, data);
        using var stream = new MemoryStream();
        fitted.Save(stream);
        stream.Position = 0;

        using var loaded = GradSentryTransformer.Load(stream, CopyTinyModel(temp, "moved"));

        Assert.Equal(Path.Combine(temp.Path, "moved"), loaded.ModelDirectory);
        Assert.Equal(fitted.ModelContentHash, loaded.ModelContentHash);
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("tokenizer_config.json")]
    public void AChangedModelIsRefusedWithBothHashes(string file)
    {
        using var temp = TestPaths.NewTempDirectory();
        var model = CopyTinyModel(temp, "model");
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 2));
        using var stream = new MemoryStream();
        string savedHash;
        using (var fitted = Pipelines.FitScorer(_ml, data, o => o.ModelPath = model))
        {
            fitted.Save(stream);
            savedHash = fitted.ModelContentHash;
        }
        var path = Path.Combine(model, file);
        var bytes = File.ReadAllBytes(path);
        if (file.EndsWith(".json", StringComparison.Ordinal)) File.AppendAllText(path, "\n");
        else
        {
            // Flip the low byte of the last weight: the file still loads, but the model is not the same.
            bytes[^1] ^= 1;
            File.WriteAllBytes(path, bytes);
        }
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => GradSentryTransformer.Load(stream));

        Assert.Contains(savedHash, error.Message);
        Assert.Contains("not the one this transformer was saved with", error.Message);
        Assert.Contains(model, error.Message);
    }

    [Fact]
    public void LoadRefusesWhatIsNotASavedTransformer()
    {
        using var filter = new MemoryStream("""{"format":"GradSentry.MLNet.GradSentryFilterTransformer","version":1}"""u8.ToArray());
        using var truncated = new MemoryStream("""{"format":"GradSentry.MLNet.GradSentryTransformer","vers"""u8.ToArray());

        Assert.Contains("GradSentryFilterTransformer", Assert.Throws<InvalidDataException>(() => GradSentryTransformer.Load(filter)).Message);
        Assert.Throws<InvalidDataException>(() => GradSentryTransformer.Load(truncated));
    }
}
