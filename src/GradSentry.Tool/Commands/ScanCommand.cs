using System.CommandLine;
using System.Globalization;
using GradSentry.Data;
using GradSentry.Scanning;
using GradSentry.Scoring;
using GradSentry.Tool.Baselines;
using GradSentry.Tool.Reports;
using GradSentry.Tool.Sharding;
using GradSentry.Tool.Terminal;

namespace GradSentry.Tool.Commands;

/// <summary><c>dotnet gradsentry scan &lt;DATA...&gt; [options]</c>: score every row, fit the threshold, gate, report.</summary>
public sealed class ScanCommand
{
    /// <summary>The scores <c>--score</c> knows, the default first.</summary>
    public static readonly IReadOnlyList<string> ScoreKinds = [.. GradSentry.Scoring.ScoreKinds.All.Select(GradSentry.Scoring.ScoreKinds.Name)];

    readonly Argument<string[]> _data = new("DATA")
    {
        Description = "Dataset files: JSON Lines (.jsonl), CSV (.csv), TSV (.tsv) or Parquet (.parquet). Several files are scanned as one dataset, each with its own line numbers.",
        Arity = ArgumentArity.OneOrMore,
    };

    readonly Option<string> _model = new("--model")
    {
        Description = "Hugging Face model directory (config.json, model.safetensors, tokenizer files). Default: the bundled tiny model.",
        // No default value factory: help would print the tool's install path; an absent option means the bundled model.
        HelpName = "DIR",
    };

    readonly Option<string> _target = new("--target")
    {
        Description = "Parameter whose per-sample gradient is scored (see 'model info' for the candidates).",
        DefaultValueFactory = _ => ProbeOptions.LmHead,
        HelpName = "NAME",
    };

    readonly Option<int> _rank = new("--rank") { Description = "k: singular values in the entropy.", DefaultValueFactory = _ => 16, HelpName = "K" };

    readonly Option<int> _slice = new("--slice")
    {
        Description = "Keep the top-left [rows/N, cols/N] block of a full weight's gradient (1 keeps all).",
        DefaultValueFactory = _ => 8,
        HelpName = "N",
    };

    readonly Option<string> _score = new("--score")
    {
        Description = "What decides: " + string.Join("; ", GradSentry.Scoring.ScoreKinds.All.Select(k =>
        {
            var c = GradSentry.Scoring.ScoreKinds.Capabilities(k);
            string[] limitList = [.. new[] { c.NeedsSketch ? "lm_head target only" : null, c.Cacheable ? null : "no cache", c.Shardable ? null : "no --shard" }.OfType<string>()];
            var limits = limitList.Length == 0 ? "" : $" ({string.Join(", ", limitList)})";
            return $"'{c.Name}': {c.Summary}{limits}";
        })) + ".",
        DefaultValueFactory = _ => GradSentry.Scoring.ScoreKinds.Name(GradSentry.Scoring.ScoreKinds.Default),
        HelpName = string.Join("|", ScoreKinds),
    };

    readonly Option<int> _onionMaxDeletions = new("--onion-max-deletions")
    {
        Description = "--score onion: most words deleted per row; words other rows share go first, the rarest first (each deletion is one more perplexity; words in at least 90% of the window's rows are template text and never deleted).",
        DefaultValueFactory = _ => new GradSentry.Detection.OnionOptions().MaxDeletions,
        HelpName = "N",
    };

    readonly Option<string> _device = new("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto", HelpName = "auto|cpu|cuda[:n]" };

    readonly Option<string> _dtype = new("--dtype")
    {
        Description = "Compute dtype of the model. auto: float32 on the CPU; on CUDA the checkpoint's torch_dtype (bfloat16 or float16) when it has one, else float32. The spectral math runs in float32/float64 whatever this is.",
        DefaultValueFactory = _ => "auto",
        HelpName = "auto|float32|bfloat16|float16",
    };

    readonly Option<int> _batchSize = new("--batch-size") { Description = "Samples per forward pass.", DefaultValueFactory = _ => 16, HelpName = "N" };

    readonly Option<int> _window = new("--window")
    {
        Description = "Rows read ahead and bucketed by length before batching; also the block size of --shard (shards get whole blocks, so their scores equal the unsharded scan's bit for bit).",
        DefaultValueFactory = _ => 512,
        HelpName = "N",
    };

    readonly Option<int?> _maxLength = new("--max-length")
    {
        Description = "Maximum tokens per sample (prompt tokens are cut from the left; a response that cannot fit is an error, GS2003). Default: the model's max_position_embeddings.",
        HelpName = "N",
    };

    readonly Option<string> _template = new("--template")
    {
        Description = "How records become prompt and response. raw: prompt = field prompt, response = field response, verbatim. "
            + "alpaca: the Stanford Alpaca prompt around instruction (and input when non-empty), response = output. "
            + "qa: prompt = question verbatim, response = answer (or answers joined with '; '). "
            + "gradsentry-qa: as qa inside the reference GradSentry QA prompt. "
            + "chat: messages [{role, content}] or ShareGPT conversations [{from, value}] (human/gpt = user/assistant); response = the last assistant turn, prompt = each earlier turn as 'role: content' on its own line, then 'assistant: '. "
            + "FILE: a JSON template file {\"prompt\": \"Q: {question}\\nA: \", \"response\": \"answer\"}: {field} placeholders take the record's fields ({{ and }} are literal braces), response names the response field.",
        DefaultValueFactory = _ => PromptTemplates.RawName,
        HelpName = "raw|alpaca|qa|chat|gradsentry-qa|FILE",
    };

    readonly Option<string?> _promptField = new("--prompt-field") { Description = "Field holding the prompt (raw), instruction (alpaca) or question (qa).", HelpName = "NAME" };

    readonly Option<string?> _responseField = new("--response-field") { Description = "Field holding the response (raw), output (alpaca) or answer (qa).", HelpName = "NAME" };

    readonly Option<string?> _messagesField = new("--messages-field") { Description = "Field holding the message list (chat); default messages, or ShareGPT's conversations.", HelpName = "NAME" };

    readonly Option<string?> _roleField = new("--role-field") { Description = "Key of a message's role (chat); default role, or ShareGPT's from (human/gpt read as user/assistant).", HelpName = "NAME" };

    readonly Option<string?> _contentField = new("--content-field") { Description = "Key of a message's text (chat); default content, or ShareGPT's value.", HelpName = "NAME" };

    readonly Option<string?> _inputFormat = new("--input-format")
    {
        Description = "Dataset format when the extension does not tell: jsonl, csv, tsv or parquet.",
        HelpName = "jsonl|csv|tsv|parquet",
    };

    readonly Option<string?> _cache = new("--cache")
    {
        Description = "Score cache folder: unchanged rows are not scored again, and a scan that was stopped (Ctrl+C, kill) resumes.",
        HelpName = "DIR",
    };

    readonly Option<string?> _shard = new("--shard")
    {
        Description = "Score only shard i of n (blocks of --window rows whose block number % n == i) and write a shard result (JSON, raw scores, no threshold) to --output; combine all shards with 'merge'.",
        HelpName = "i/n",
    };

    readonly Option<bool> _filterOnly = new("--filter-only")
    {
        Description = "Filter and continue: with --filtered-output, exit 0 once the clean file is written, however many rows were removed (the gate still fails, exit 1, when a row could not be scored, and then no file is written). For `scan data.jsonl --filtered-output clean.jsonl --filter-only && finetune clean.jsonl`.",
    };

    readonly ReportOptionSet _report = new();

    /// <summary>Builds the command.</summary>
    public Command Create()
    {
        var command = new Command("scan", "Score every row of a dataset by the spectral entropy of its per-sample gradient, learn the threshold, gate on the suspect fraction, and report.");
        command.Arguments.Add(_data.RejectingUnknownOptions("scan"));
        foreach (var option in new Option[] { _model, _target, _rank, _slice, _score, _onionMaxDeletions, _device, _dtype, _batchSize, _window, _maxLength, _template, _promptField, _responseField, _messagesField, _roleField, _contentField, _inputFormat, _cache, _shard, _filterOnly })
            command.Options.Add(option);
        _report.AddTo(command);
        _score.AcceptOnlyFromAmong([.. ScoreKinds]);
        _inputFormat.AcceptOnlyFromAmong("jsonl", "csv", "tsv", "parquet");
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() => RunAsync(parse, cancellationToken)));
        return command;
    }

    async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var files = parse.GetValue(_data) ?? [];
        var score = parse.GetValue(_score)!;
        var scoreKind = GradSentry.Scoring.ScoreKinds.Parse(score);
        if (!GradSentry.Scoring.ScoreKinds.Capabilities(scoreKind).Shardable && parse.GetValue(_shard) is not null)
            throw new UsageException($"--score {score} compares every row with the whole dataset, so it cannot run per shard; drop --shard or use --score reference.");
        var request = _report.Read(parse);
        var filterOnly = parse.GetValue(_filterOnly);
        if (filterOnly && request.FilteredOutput is null)
            throw new UsageException("--filter-only writes the rows that pass and exits 0: give the clean file with --filtered-output FILE.");
        var modelGiven = parse.GetValue(_model) is not null;
        var blankLines = new BlankLineCounter();
        var shard = parse.GetValue(_shard) is { } shardText ? ParseShard(shardText) : null;
        var inputFormat = parse.GetValue(_inputFormat) is { } f ? SampleReader.ParseFormat(f) : (DatasetFormat?)null;
        var template = ResolveTemplate(parse.GetValue(_template)!, new TemplateOptions
        {
            PromptField = parse.GetValue(_promptField),
            ResponseField = parse.GetValue(_responseField),
            MessagesField = parse.GetValue(_messagesField),
            RoleField = parse.GetValue(_roleField),
            ContentField = parse.GetValue(_contentField),
        });
        var options = new ScanOptions
        {
            ModelDirectory = parse.GetValue(_model) ?? BundledModel.Path,
            Device = parse.GetValue(_device)!,
            DType = ParseDType(parse.GetValue(_dtype)!),
            MaxLength = parse.GetValue(_maxLength),
            Threshold = parse.GetValue(_report.Threshold)!,
            MaxPoisonFraction = parse.GetValue(_report.MaxPoisonFraction),
            CacheDirectory = parse.GetValue(_cache),
            Shard = shard,
            Reader = new ReaderOptions { Format = inputFormat, Template = template, BlankLines = blankLines },
            Scoring = new ScoringOptions
            {
                BatchSize = parse.GetValue(_batchSize),
                Window = parse.GetValue(_window),
                Score = scoreKind,
                Onion = new GradSentry.Detection.OnionOptions { MaxDeletions = parse.GetValue(_onionMaxDeletions) },
                Probe = new ProbeOptions { TargetParameter = parse.GetValue(_target)!, Rank = parse.GetValue(_rank), SliceFactor = parse.GetValue(_slice) },
            },
        };
        var reportOptions = new ReportOptions
        {
            Model = options.ModelDirectory,
            Target = options.Scoring.Probe.TargetParameter,
            Rank = options.Scoring.Probe.Rank,
            Slice = options.Scoring.Probe.SliceFactor,
            Score = score,
            Threshold = options.Threshold,
            MaxPoisonFraction = options.MaxPoisonFraction,
            Device = options.Device,
            DType = parse.GetValue(_dtype)!,
            BatchSize = options.Scoring.BatchSize,
            Window = options.Scoring.Window,
            MaxLength = options.MaxLength,
            OnionMaxDeletions = options.Scoring.Onion.MaxDeletions,
            Template = parse.GetValue(_template)!,
            PromptField = parse.GetValue(_promptField),
            ResponseField = parse.GetValue(_responseField),
            InputFormat = parse.GetValue(_inputFormat),
            Baseline = request.Baseline,
            DemoModel = !modelGiven,
        };

        // Everything that can be checked without the model is checked before it is loaded.
        try
        {
            options.Scoring.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
        if (options.MaxLength is < 2) throw new UsageException("--max-length must be at least 2.");
        if (shard is not null)
        {
            if (request.Output is null) throw new UsageException("--shard writes a shard result: give its file with --output (merge the shards with 'dotnet gradsentry merge').");
            if (request.ReportDirectory is not null || request.FilteredOutput is not null || request.Baseline is not null || parse.GetValue(_report.Format) is { Length: > 0 })
                throw new UsageException("--shard writes only the raw scores (--output FILE); --format, --report, --filtered-output and --baseline belong to 'merge'.");
            Output.AtomicFile.CheckDestination(request.Output);
            Output.InputProtection.Check([("--output", request.Output)], Inputs(files, request, parse.GetValue(_template)!));
        }
        else
        {
            request.CheckDestinations();
            Output.InputProtection.Check(Output.InputProtection.Outputs(request), Inputs(files, request, parse.GetValue(_template)!));
        }
        var baseline = request.Baseline is null ? null : BaselineFile.Load(request.Baseline);
        if (!modelGiven)
            ConsoleStreams.ErrorLine("warning: " + DemoModel.Warning);
        if (!filterOnly && options.MaxPoisonFraction == 0 && options.Threshold.Trim().StartsWith("top:", StringComparison.OrdinalIgnoreCase))
            ConsoleStreams.ErrorLine($"warning: --threshold {options.Threshold} always flags rows, so with --max-poison-fraction 0 (the default) the gate always fails. To remove them and continue, add --filtered-output FILE --filter-only; to gate, raise --max-poison-fraction.");
        _ = SampleReader.Read(files, options.Reader); // missing files and unknown extensions fail here, before the model loads

        var title = shard is null ? "scan" : $"scan shard {shard}";
        var scored = await ProgressDisplay.RunAsync(title, progress => DatasetScanner.Score(files, options, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (shard is not null)
        {
            var result = new ShardResult(scored, reportOptions);
            Output.AtomicFile.Write(request.Output!, result.Write);
            ConsoleStreams.ErrorLine(string.Create(CultureInfo.InvariantCulture,
                $"shard {shard}: scored {scored.Rows.Count} of {scored.TotalRows} rows into {request.Output}; combine all {shard.Count} shards with 'dotnet gradsentry merge'."));
            return scored.Rows.Any(r => !r.Score.IsScored) ? ExitCodes.UsageOrInputError : ExitCodes.Passed;
        }
        var decided = DatasetScanner.Decide(scored);
        // Ctrl+C after the last row was scored still stops the scan before anything is written.
        cancellationToken.ThrowIfCancellationRequested();
        var report = new ScanReport(decided, reportOptions with { BlankLinesSkipped = blankLines.Count }, baseline);
        var code = ReportEmitter.Emit(report, request, inputFormat);
        if (filterOnly && code == ExitCodes.GateFailed)
        {
            ConsoleStreams.ErrorLine(string.Create(CultureInfo.InvariantCulture,
                $"--filter-only: {report.Suspects.Count} suspect row(s) left out of {request.FilteredOutput}; exit 0."));
            return ExitCodes.Passed;
        }
        return code;
    }

    /// <summary>The files a scan reads, which no output may replace.</summary>
    static List<(string What, string Path)> Inputs(IEnumerable<string> files, ReportRequest request, string template)
    {
        var inputs = files.Select(f => ("input dataset", f)).ToList();
        if (request.Baseline is { } baseline) inputs.Add(("baseline", baseline));
        if (File.Exists(template)) inputs.Add(("template file", template));
        return inputs;
    }

    static ScanShard ParseShard(string text)
    {
        try
        {
            return ScanShard.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new UsageException("--shard: " + ex.Message, ex);
        }
    }

    static IPromptTemplate ResolveTemplate(string name, TemplateOptions options)
    {
        var fields = options == new TemplateOptions() ? null : options;
        try
        {
            return PromptTemplates.Resolve(name, fields);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException("--template: " + ex.Message, ex);
        }
    }

    static TorchSharp.torch.ScalarType? ParseDType(string text)
    {
        try
        {
            return ComputeDTypes.Parse(text);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException("--dtype: " + ex.Message, ex);
        }
    }
}
