using System.Globalization;
using GradSentry.Scanning;
using Spectre.Console;

namespace GradSentry.Tool.Terminal;

/// <summary>
/// Shows scan progress (rows, rows/s, ETA) on standard error, never on standard output: a live Spectre.Console bar on
/// a terminal, and a plain line every few seconds when standard error is redirected (CI logs).
/// </summary>
public static class ProgressDisplay
{
    static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="work"/> on a worker thread while showing its progress; returns its result.</summary>
    public static async Task<T> RunAsync<T>(string title, Func<IProgress<ScanProgress>, T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var console = ConsoleStreams.Error;
        if (!Console.IsErrorRedirected && console.Profile.Capabilities.Interactive)
        {
            return await console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(Markup.Escape(title), maxValue: 1);
                    var progress = new Callback(p =>
                    {
                        if (p.Note is { } note)
                        {
                            console.WriteLine(note);
                            return;
                        }
                        if (p.RowsTotal is { } total && total > 0) task.MaxValue = total;
                        task.Value = p.RowsDone;
                        task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                            $"{title}: {p.RowsDone} rows, {p.RowsPerSecond:0.0} rows/s"));
                    });
                    var result = await Task.Run(() => work(progress), cancellationToken).ConfigureAwait(false);
                    task.Value = task.MaxValue;
                    return result;
                }).ConfigureAwait(false);
        }

        var last = DateTime.UtcNow;
        var plain = new Callback(p =>
        {
            if (p.Note is { } note)
            {
                Console.Error.WriteLine(note);
                return;
            }
            var now = DateTime.UtcNow;
            if (now - last < PlainInterval && p.RowsDone != p.RowsTotal) return;
            last = now;
            Console.Error.WriteLine(Line(title, p));
        });
        return await Task.Run(() => work(plain), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One progress line: <c>scan: 512/2000 rows, 85.3 rows/s, ETA 00:00:17</c>.</summary>
    public static string Line(string title, ScanProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var of = progress.RowsTotal is { } total ? string.Create(CultureInfo.InvariantCulture, $"/{total}") : "";
        var eta = progress.Remaining is { } remaining && progress.RowsDone != progress.RowsTotal
            ? ", ETA " + remaining.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $", {progress.Elapsed.TotalSeconds:0.0} s");
        return string.Create(CultureInfo.InvariantCulture, $"{title}: {progress.RowsDone}{of} rows, {progress.RowsPerSecond:0.0} rows/s{eta}");
    }

    sealed class Callback(Action<ScanProgress> report) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value) => report(value);
    }
}
