using GradSentry.Scoring;
using GradSentry.Thresholds;
using GradSentry.Tool.Reports;
using ScottPlot;

namespace GradSentry.Tool.Formatters;

/// <summary>The HTML report's plots, rendered with ScottPlot to PNG bytes.</summary>
public static class ReportPlots
{
    /// <summary>Plot width in pixels.</summary>
    public const int Width = 900;

    /// <summary>Plot height in pixels.</summary>
    public const int Height = 420;

    /// <summary>Histogram of the scores with the Gaussian KDE curve (scaled to counts) and the threshold line.</summary>
    public static byte[] Distribution(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var scores = ScoredValues(report);
        var threshold = report.Result.Summary.Threshold;
        var plot = new Plot();
        plot.Title("Score distribution");
        plot.XLabel(Capabilities(report).RankCeiling ? "GradientSpectralEntropy (normalised spectral entropy)" : Capabilities(report).AxisLabel);
        plot.YLabel("rows");
        var low = Math.Min(scores.Min(), threshold.Value);
        var high = Math.Max(scores.Max(), threshold.Value);
        var pad = Math.Max(1e-3, (high - low) * 0.05);
        low = Math.Max(0, low - pad);
        high = Math.Min(1, high + pad);
        if (high <= low) high = low + 1e-3;
        const int bins = 40;
        var histogram = ScottPlot.Statistics.Histogram.WithBinCount(bins, low, high);
        histogram.AddRange(scores);
        plot.Add.Histogram(histogram);

        if (scores.Length >= 2 && scores.Max() > scores.Min())
        {
            var bandwidth = GaussianKde.SilvermanBandwidth(scores);
            if (bandwidth > 0 && double.IsFinite(bandwidth))
            {
                var grid = GaussianKde.Linspace(low, high, 400);
                var density = GaussianKde.Density(scores, bandwidth, grid);
                var binWidth = (high - low) / bins;
                var counts = density.Select(d => d * scores.Length * binWidth).ToArray();
                var kde = plot.Add.ScatterLine(grid, counts);
                kde.LineWidth = 2;
                kde.Color = Colors.DarkBlue;
                kde.LegendText = "Gaussian KDE (Silverman bandwidth)";
            }
        }
        var line = plot.Add.VerticalLine(threshold.Value, 2, Colors.Red, LinePattern.Dashed);
        line.LegendText = $"threshold {threshold.Value:0.0000} ({threshold.Method})";
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    static ScoreCapabilities Capabilities(ScanReport report) => ScoreKinds.Capabilities(report.Result.Options.Scoring.Score);

    /// <summary>Score against answer tokens (the length confound made visible), with the rank ceiling and the threshold.</summary>
    public static byte[] ScoreVersusAnswerTokens(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Result.Rows;
        var threshold = report.Result.Summary.Threshold;
        var rank = report.Result.Options.Scoring.Probe.Rank;
        var plot = new Plot();
        plot.Title("Score vs answer tokens");
        plot.XLabel("answer tokens T (response + EOS)");
        plot.YLabel(Capabilities(report).RankCeiling ? "GradientSpectralEntropy" : Capabilities(report).AxisLabel);

        void Points(Func<int, bool> which, Color color, string label)
        {
            var picked = Enumerable.Range(0, rows.Count).Where(i => rows[i].Score.IsScored && which(i)).ToList();
            if (picked.Count == 0) return;
            var markers = plot.Add.Markers(picked.Select(i => (double)rows[i].Score.AnswerTokens).ToArray(),
                picked.Select(i => rows[i].Score.Score).ToArray(), MarkerShape.FilledCircle, 6, color);
            markers.LegendText = label;
        }

        Points(i => !rows[i].Verdict.Flagged, Colors.SteelBlue.WithAlpha(0.7), "passed");
        Points(report.IsBaselined, Colors.Orange, "flagged, accepted by the baseline");
        Points(report.IsSuspect, Colors.Red, "suspect (flagged)");

        // Only the paper's entropy is capped by the answer length; other detectors' scores have no ceiling to draw.
        if (Capabilities(report).RankCeiling)
        {
            var maxTokens = Math.Max(2, rows.Where(r => r.Score.IsScored).Select(r => r.Score.AnswerTokens).DefaultIfEmpty(2).Max());
            var ts = Enumerable.Range(1, maxTokens).Select(t => (double)t).ToArray();
            var ceiling = plot.Add.ScatterLine(ts, ts.Select(t => SpectralEntropy.RankCeiling((int)t, rank)).ToArray());
            ceiling.Color = Colors.Gray;
            ceiling.LinePattern = LinePattern.Dotted;
            ceiling.LineWidth = 2;
            ceiling.LegendText = $"rank ceiling ln(min(T,{rank}))/ln {rank}";
        }
        var line = plot.Add.HorizontalLine(threshold.Value, 2, Colors.Red, LinePattern.Dashed);
        line.LegendText = $"threshold {threshold.Value:0.0000}";
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>The finite scores of the scored rows.</summary>
    public static double[] ScoredValues(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Result.Rows.Where(r => r.Score.IsScored && double.IsFinite(r.Score.Score)).Select(r => r.Score.Score).ToArray();
    }
}
