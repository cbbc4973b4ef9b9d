using System.CommandLine;
using GradSentry.Tool.Formatters;

namespace GradSentry.Tool.Commands;

/// <summary>The decision and output options <c>scan</c> and <c>merge</c> share.</summary>
public sealed class ReportOptionSet
{
    /// <summary><c>--threshold auto|&lt;float&gt;|top:&lt;fraction&gt;</c>.</summary>
    public Option<string> Threshold { get; } = new("--threshold")
    {
        Description = "Threshold rule: 'auto' (reliable KDE valley, fallback 0.7), a fixed score such as 0.71, or top:F to flag the top fraction F.",
        DefaultValueFactory = _ => "auto",
        HelpName = "auto|<float>|top:<fraction>",
    };

    /// <summary><c>--max-poison-fraction F</c>.</summary>
    public Option<double> MaxPoisonFraction { get; } = new("--max-poison-fraction")
    {
        Description = "The gate fails (exit 2) when suspect rows / scored rows exceeds F. Default 0: any suspect row fails.",
        DefaultValueFactory = _ => 0.0,
        HelpName = "F",
    };

    /// <summary><c>--format NAME</c>, repeatable.</summary>
    public Option<string[]> Format { get; } = new("--format")
    {
        Description = "Report format, repeatable: text, json, csv, sarif, html, msbuild. Written to standard output unless --output is given; msbuild lines always go to standard output when another format takes --output. Default: the --output file's extension (.txt, .json, .csv, .sarif, .html), else text.",
        HelpName = "text|json|csv|sarif|html|msbuild",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary><c>--output FILE</c>.</summary>
    public Option<string?> Output { get; } = new("--output", "-o")
    {
        Description = "Write the report (one --format, besides msbuild) to FILE instead of standard output, atomically.",
        HelpName = "FILE",
    };

    /// <summary><c>--report DIR</c>.</summary>
    public Option<string?> Report { get; } = new("--report")
    {
        Description = "Also write every format into DIR (gradsentry.txt, .json, .csv, .sarif, .html, .msbuild.log); DIR and any missing parent folders are created.",
        HelpName = "DIR",
    };

    /// <summary><c>--filtered-output FILE</c>.</summary>
    public Option<string?> FilteredOutput { get; } = new("--filtered-output")
    {
        Description = "Write the rows that passed (all but the suspects) to FILE in the input's format, lines byte-identical, atomically. Not written when a row could not be scored.",
        HelpName = "FILE",
    };

    /// <summary><c>--baseline FILE</c>.</summary>
    public Option<string?> Baseline { get; } = new("--baseline")
    {
        Description = "Reviewed baseline (from 'dotnet gradsentry baseline'): flagged rows it lists are accepted, neither counted by the gate nor warned about; entries matching no row are reported as stale (GS3001).",
        HelpName = "FILE",
    };

    /// <summary>Creates the options with their validators.</summary>
    public ReportOptionSet()
    {
        Format.AcceptOnlyFromAmong([.. ReportFormatters.Names]);
        MaxPoisonFraction.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<double>();
            if (!(value is >= 0 and <= 1)) result.AddError($"--max-poison-fraction must be between 0 and 1 (got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        });
        Threshold.Validators.Add(result =>
        {
            if (!GradSentry.Thresholds.ThresholdRule.TryParse(result.GetValueOrDefault<string>(), out _, out var error)) result.AddError("--threshold: " + error);
        });
    }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new Option[] { Threshold, MaxPoisonFraction, Format, Output, Report, FilteredOutput, Baseline })
            command.Options.Add(option);
    }

    /// <summary>Reads the parsed values.</summary>
    public ReportRequest Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var output = parse.GetValue(Output);
        var formats = parse.GetValue(Format) is { Length: > 0 } f ? f.Select(x => x.ToLowerInvariant()).Distinct().ToList() : [FormatOf(output) ?? "text"];
        return new ReportRequest(formats, output, parse.GetValue(Report), parse.GetValue(FilteredOutput), parse.GetValue(Baseline));
    }

    /// <summary>The format an output file's extension names (<c>.json</c>, <c>.sarif</c>, <c>.csv</c>, <c>.html</c>, <c>.txt</c>), or null.</summary>
    public static string? FormatOf(string? path)
    {
        var extension = path is null ? "" : Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".json" => "json",
            ".sarif" => "sarif",
            ".csv" => "csv",
            ".html" or ".htm" => "html",
            ".txt" or ".text" => "text",
            _ => null,
        };
    }
}
