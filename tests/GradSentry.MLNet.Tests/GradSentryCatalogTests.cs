using GradSentry.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Tests;

public class GradSentryCatalogTests
{
    readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void ThePlainOverloadFillsTheOptions()
    {
        var estimator = _ml.Transforms.GradSentry("Score", TestPaths.TinyModel, promptColumnName: "Q", responseColumnName: "A",
            device: "cpu", batchSize: 4, maxLength: 128, template: "gradsentry-qa", cacheDirectory: "/tmp/cache");

        var options = estimator.Options;

        Assert.Equal("Score", options.OutputColumnName);
        Assert.Equal(TestPaths.TinyModel, options.ModelPath);
        Assert.Equal("Q", options.PromptColumnName);
        Assert.Equal("A", options.ResponseColumnName);
        Assert.Equal("cpu", options.Device);
        Assert.Equal(4, options.BatchSize);
        Assert.Equal(128, options.MaxLength);
        Assert.Equal("gradsentry-qa", options.Template);
        Assert.Equal("/tmp/cache", options.CacheDirectory);
        Assert.Equal("AnswerTokenCount", options.AnswerTokenCountColumnName);
    }

    [Fact]
    public void GradSentryWithNoArgumentsCompilesAndTakesEveryDefault()
    {
        var options = _ml.Transforms.GradSentry().Options;
        var defaults = new GradSentryOptions();

        Assert.Equal("GradientSpectralEntropy", options.OutputColumnName);
        Assert.Equal(("Prompt", "Response"), (options.PromptColumnName, options.ResponseColumnName));
        Assert.Null(options.ModelPath);
        Assert.True(options.UsesDemoModel);
        Assert.Equal((defaults.Device, defaults.BatchSize, defaults.Template, defaults.MaxLength, defaults.CacheDirectory),
            (options.Device, options.BatchSize, options.Template, options.MaxLength, options.CacheDirectory));
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "models", "tiny-llama"), GradSentryOptions.DemoModelPath);
    }

    [Fact]
    public void AModelPathAloneIsEnough()
    {
        var options = _ml.Transforms.GradSentry(modelPath: TestPaths.TinyModel).Options;

        Assert.Equal(("GradientSpectralEntropy", TestPaths.TinyModel), (options.OutputColumnName, options.ModelPath));
        Assert.False(options.UsesDemoModel);
    }

    [Fact]
    public void TheDemoModelScoresByDefaultAndSaysSoInTheMLContextLog()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        var data = ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 6));

        using var model = ml.Transforms.GradSentry(device: "cpu").Append(ml.Transforms.GradSentryFilter()).Fit(data);

        var scorer = model.OfType<GradSentryTransformer>().Single();
        Assert.Equal(Path.GetFullPath(GradSentryOptions.DemoModelPath), Path.GetFullPath(scorer.ModelDirectory));
        Assert.Equal(6, model.LastTransformer.RowCount);
        var warning = Assert.Single(warnings, w => w.Contains("bundled demo model", StringComparison.Ordinal));
        Assert.Contains(DemoModel.Warning, warning, StringComparison.Ordinal);
    }

    [Fact]
    public void AGivenModelLogsNoDemoModelWarning()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var data = ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 4));

        using var scorer = ml.Transforms.GradSentry(modelPath: TestPaths.TinyModel, device: "cpu").Fit(data);

        Assert.DoesNotContain(messages, m => m.Contains("bundled demo model", StringComparison.Ordinal));
    }

    [Fact]
    public void DefaultsAreTheReferences()
    {
        var options = new GradSentryOptions();
        var filter = new GradSentryFilterOptions();

        Assert.Equal(("GradientSpectralEntropy", "AnswerTokenCount", "GradSentryError"), (options.OutputColumnName, options.AnswerTokenCountColumnName, options.ErrorColumnName));
        Assert.Equal(("Prompt", "Response"), (options.PromptColumnName, options.ResponseColumnName));
        Assert.Equal(("lm_head.weight", 16, 8), (options.TargetParameter, options.Rank, options.SliceFactor));
        Assert.Equal(("auto", 16, 512, "raw"), (options.Device, options.BatchSize, options.ReadAhead, options.Template));
        Assert.Null(options.MaxLength);
        Assert.Equal(("GradientSpectralEntropy", "auto", GradSentryFilterMode.Drop, "IsSuspect", false),
            (filter.ScoreColumnName, filter.Threshold, filter.Mode, filter.SuspectColumnName, filter.DropUnscoredRows));
    }

    [Fact]
    public void FilterAndMarkOverloadsFillTheirOptions()
    {
        var filter = _ml.Transforms.GradSentryFilter("Score", "top:0.05").Options;
        var mark = _ml.Transforms.GradSentryMarkSuspects("Review", "Score", "0.7").Options;

        Assert.Equal(("Score", "top:0.05", GradSentryFilterMode.Drop), (filter.ScoreColumnName, filter.Threshold, filter.Mode));
        Assert.Equal(("Review", "Score", "0.7", GradSentryFilterMode.Mark), (mark.SuspectColumnName, mark.ScoreColumnName, mark.Threshold, mark.Mode));
    }

    [Fact]
    public void APipelineChainsScoringFilteringAndFurtherMLNetTransforms()
    {
        var rows = QaRow.Golden("qa_n60_p0.5_s4");
        var data = _ml.Data.LoadFromEnumerable(rows);
        var pipeline = _ml.Transforms.GradSentry("GradientSpectralEntropy", TestPaths.TinyModel, device: "cpu")
            .Append(_ml.Transforms.GradSentryFilter(threshold: "top:0.25"))
            .Append(_ml.Transforms.CopyColumns("Normalized", "GradientSpectralEntropy"))
            .Append(_ml.Transforms.NormalizeMinMax("Normalized"));

        GradSentryTransformer scorer;
        using (var model = pipeline.Fit(data))
        {
            scorer = model.OfType<GradSentryTransformer>().Single();
            var filter = model.OfType<GradSentryFilterTransformer>().Single();
            var normalized = Pipelines.Column<float>(model.Transform(data), "Normalized");

            Assert.Equal(15, filter.FlaggedRowCount);
            Assert.Equal(45, normalized.Count);
            Assert.Equal(1f, normalized.Max());
            Assert.All(normalized, v => Assert.InRange(v, 0f, 1f));
        }
        // Disposing the chain disposed the transformer and its model.
        Assert.Throws<ObjectDisposedException>(() => Pipelines.Column<float>(scorer.Transform(data), "GradientSpectralEntropy"));
    }

    [Fact]
    public void TheQaTemplateWrapsTheQuestionInTheReferencePrompt()
    {
        const string Prefix = "### Instruction:\nAnswer the question briefly.\n\n\n\n### Question:\n";
        const string Suffix = "\n\n\n\n### Answer: ";
        var golden = QaRow.Golden("qa_n60_p0.5_s4", 8);
        // The golden prompts are the reference QA prompt around a question: strip it, and the template must put it back.
        var questions = golden.Select(r => new QaRow { Prompt = r.Prompt[Prefix.Length..^Suffix.Length], Response = r.Response }).ToList();
        Assert.All(golden, r => Assert.Equal(Prefix, r.Prompt[..Prefix.Length]));

        using var raw = Pipelines.FitScorer(_ml, _ml.Data.LoadFromEnumerable(golden));
        using var templated = Pipelines.FitScorer(_ml, _ml.Data.LoadFromEnumerable(questions), o => o.Template = "gradsentry-qa");

        Assert.Equal(
            Pipelines.Column<float>(raw.Transform(_ml.Data.LoadFromEnumerable(golden)), "GradientSpectralEntropy"),
            Pipelines.Column<float>(templated.Transform(_ml.Data.LoadFromEnumerable(questions)), "GradientSpectralEntropy"));
    }

    [Fact]
    public void TheChatTemplateIsRefusedWithAdvice()
    {
        var error = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() =>
            _ml.Transforms.GradSentry(Pipelines.TinyOptions(o => o.Template = "chat")));

        Assert.Contains("two text columns", error.Message);
    }

    [Fact]
    public void AScoreCacheServesASecondPassWithoutTheModel()
    {
        using var temp = TestPaths.NewTempDirectory();
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 10));
        List<float> first;
        using (var scorer = Pipelines.FitScorer(_ml, data, o => o.CacheDirectory = temp.Path))
            first = Pipelines.Column<float>(scorer.Transform(data), "GradientSpectralEntropy");

        using var again = Pipelines.FitScorer(_ml, data, o => o.CacheDirectory = temp.Path);
        var second = Pipelines.Column<float>(again.Transform(data), "GradientSpectralEntropy");

        Assert.Equal(first, second);
        Assert.Equal(0, again.ProbedRowCount);
        Assert.Equal(10, again.CachedRowCount);
    }
}
