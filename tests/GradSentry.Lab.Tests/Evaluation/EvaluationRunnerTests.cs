using System.Text.Json;
using GradSentry.Lab.Data;
using GradSentry.Lab.Evaluation;
using GradSentry.Tests.Support;

namespace GradSentry.Lab.Tests.Evaluation;

public class EvaluationRunnerTests
{
    static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = LabCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    static string WritePairs(TempDirectory dir, int count)
    {
        var file = dir.File("pairs.jsonl");
        File.WriteAllLines(file, SyntheticQa.Generate(count, 7).Select(p => JsonSerializer.Serialize(new { question = p.Question, answer = p.Answers })));
        return file;
    }

    [Fact]
    public void TheGridWritesEveryCellAndTheHeadlineColumns()
    {
        using var dir = TestPaths.NewTempDirectory();
        var data = WritePairs(dir, 80);
        var (code, output, error) = Run("evaluate", "--model", TestPaths.GoldenModel("tiny-llama-sharp"), "--data", data,
            "--attacks", "badnets,fixed-answer", "--rates", "0.1,0.5", "--output", dir.Path, "--name", "q", "--rows-csv", dir.File("rows"));
        Assert.True(code == 0, error);
        Assert.Contains("q.md", output);
        var md = File.ReadAllText(dir.File("q.md"));
        Assert.Contains("## Goals of the verdict (issue 11)", md);
        Assert.Contains("| targeted attacks: F1 ≥ 0.95 at every rate | `trigger-conditional` |", md);
        Assert.Contains("## Goals of the length-controlled score (issue 7)", md);
        Assert.Contains("| rate | poisoned | median T clean / poisoned | reference AUROC | reference F1 | reference control / boilerplate FPR | length-only AUROC", md);
        Assert.Contains("trigger-conditional AUROC", md);
        Assert.Contains("length-controlled AUROC", md);
        Assert.Contains("### fixed-answer (length-matched)", md);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("q.json")));
        var cells = json.RootElement.GetProperty("Cells");
        Assert.Equal(4, cells.GetArrayLength());
        foreach (var cell in cells.EnumerateArray())
        {
            Assert.Equal(ScoreCatalog.Default.Count, cell.GetProperty("Scores").GetArrayLength());
            var rate = cell.GetProperty("Rate").GetDouble();
            Assert.Equal((int)Math.Round(rate * 80), cell.GetProperty("Poisoned").GetInt32());
            Assert.True(cell.GetProperty("Controls").GetInt32() > 0);
        }
        // Rendering the JSON again gives the same Markdown.
        var (renderCode, _, renderError) = Run("render", "--json", dir.File("q.json"), "--output", dir.File("again.md"));
        Assert.True(renderCode == 0, renderError);
        Assert.Equal(md, File.ReadAllText(dir.File("again.md")));
        var csv = File.ReadAllLines(Path.Combine(dir.File("rows"), "badnets-10.csv"));
        Assert.Equal(81, csv.Length);
        Assert.StartsWith("row,kind,poisoned,T,loss,reference,length-only,length-controlled", csv[0]);
    }

    [Fact]
    public void LengthOnlyIsPerfectWhenOnlyPoisonIsLongAndChanceWhenLengthIsMatched()
    {
        // A sanity check of the whole pipeline: without controls, BadNets' payload makes every poisoned answer longer
        // than every clean one; the fixed-answer attack matches lengths.
        using var model = GradSentryModel.Load(TestPaths.GoldenModel("tiny-llama"), "cpu");
        var extractor = new FeatureExtractor(model);
        var pairs = SyntheticQa.Generate(60, 3);
        var options = new EvaluationOptions { ModelDirectory = "unused", DataFile = "unused", Scores = [ScoreCatalog.Reference, ScoreCatalog.LengthOnly], ControlFraction = 0 };
        foreach (var (name, low, high) in new[] { ("badnets", 0.999, 1.0), ("fixed-answer", 0.2, 0.8) })
        {
            var attack = GradSentry.Lab.Attacks.Attacks.Create(name, s => model.Tokenizer.EncodeText(s).Count);
            var rows = GradSentry.Lab.Attacks.PoisonedDataset.Build(pairs, attack, new GradSentry.Lab.Attacks.PoisoningOptions { Rate = 0.3, ControlFraction = 0 });
            var features = extractor.Extract(rows.Select(r => (r.Question, r.Answer)).ToList());
            var cell = EvaluationRunner.Evaluate(attack, 0.3, rows, features, options, new GradSentry.Thresholds.KdeValleyThreshold());
            Assert.InRange(cell.Score(ScoreCatalog.LengthOnly).Report.Auroc, low, high);
        }
    }

    [Theory]
    [InlineData("--attacks", "nope", "unknown attack")]
    [InlineData("--rates", "1.5", "not a number in [0, 1]")]
    [InlineData("--scores", "reference,length-controlled", "must include 'length-only'")]
    public void BadGridOptionsAreUsageErrors(string option, string value, string message)
    {
        var (code, _, error) = Run("evaluate", option, value);
        Assert.Equal(LabCli.UsageError, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public void MakeDatasetWritesLabelledRows()
    {
        using var dir = TestPaths.NewTempDirectory();
        var data = WritePairs(dir, 50);
        var (code, output, error) = Run("make-dataset", "--data", data, "--model", TestPaths.GoldenModel("tiny-llama"), "--attack", "cba", "--rate", "0.2", "--output", dir.File("d.jsonl"));
        Assert.True(code == 0, error);
        var rows = QaFiles.ReadLabeled(dir.File("d.jsonl"));
        Assert.Equal(50, rows.Count);
        Assert.Equal(10, rows.Count(r => r.Poisoned));
        Assert.Equal(10, rows.Count(r => r.Kind == SampleKind.CleanNegative));
        Assert.Equal(3, rows.Count(r => r.Kind == SampleKind.LongAnswerControl));
        Assert.Contains("10 poisoned by cba", output);
    }
}
