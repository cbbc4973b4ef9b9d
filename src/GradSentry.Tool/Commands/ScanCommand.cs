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
        Description = "Compute dtype of the model. auto: on the CPU bfloat16 for a 16-bit checkpoint when the CPU computes bfloat16 natively (AVX512-BF16/AMX), else float32 when it fits in memory, else bfloat16 (a model that fits in no dtype is refused before loading); on CUDA the checkpoint's torch_dtype (bfloat16 or float16) when it has one, else float32. The choice and why are printed on stderr. The spectral math runs in float32/float64 whatever this is.",
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
            + "chat: messages [{role, content}] or ShareGPT conversations [{from, value}] (human/gpt = user/assistant), rendered with the model's own chat_template (tokenizer_config.json or chat_template.jinja, see --chat-template): prompt = every turn before the last assistant turn with the generation prompt, response = that turn as the template writes it (its end-of-turn markup included, the EOS token appended once); a model without a chat_template falls back to each earlier turn as 'role: content' on its own line, then 'assistant: ', response = the last assistant content. Reports name which was used. "
            + "FILE: a JSON template file {\"prompt\": \"Q: {question}\\nA: \", \"response\": \"answer\"}: {field} placeholders take the record's fields ({{ and }} are literal braces), response names the response field.",
        DefaultValueFactory = _ => PromptTemplates.RawName,
        HelpName = "raw|alpaca|qa|chat|gradsentry-qa|FILE",
    };

    readonly Option<string> _chatTemplate = new("--chat-template")
    {
        Description = "With --template chat: auto uses the model's chat_template (tokenizer_config.json, else chat_template.jinja) and falls back to 'role: content' lines when it has none; none always uses 'role: content' lines; FILE renders with that Jinja file (the Jinja subset Hugging Face chat templates use) and the model's bos_token/eos_token.",
        DefaultValueFactory = _ => "auto",
        HelpName = "auto|none|FILE",
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
        foreach (var option in new Option[] { _model, _target, _rank, _slice, _score, _onionMaxDeletions, _device, _dtype, _batchSize, _window, _maxLength, _template, _chatTemplate, _promptField, _responseField, _messagesField, _roleField, _contentField, _inputFormat, _cache, _shard, _filterOnly })
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
        var modelDirectory = parse.GetValue(_model) ?? BundledModel.Path;
        var chat = ResolveChatTemplate(parse.GetValue(_template)!, parse.GetValue(_chatTemplate)!, modelDirectory);
        var template = ResolveTemplate(parse.GetValue(_template)!, new TemplateOptions
        {
            PromptField = parse.GetValue(_promptField),
            ResponseField = parse.GetValue(_responseField),
            MessagesField = parse.GetValue(_messagesField),
            RoleField = parse.GetValue(_roleField),
            ContentField = parse.GetValue(_contentField),
        }, chat.Template);
        var options = new ScanOptions
        {
            ModelDirectory = modelDirectory,
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
            TemplateSource = chat.Source,
            TemplateWarnings = chat.Warnings,
            PromptField = parse.GetValue(_promptField),
            ResponseField = parse.GetValue(_responseField),
            MessagesField = parse.GetValue(_messagesField),
            RoleField = parse.GetValue(_roleField),
            ContentField = parse.GetValue(_contentField),
            TemplateContentHash = TemplateFileHash(parse.GetValue(_template)!),
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
            Output.InputProtection.Check([("--output", request.Output)], Inputs(files, request, parse.GetValue(_template)!, parse.GetValue(_chatTemplate)!));
        }
        else
        {
            request.CheckDestinations();
            Output.InputProtection.Check(Output.InputProtection.Outputs(request), Inputs(files, request, parse.GetValue(_template)!, parse.GetValue(_chatTemplate)!));
        }
        var baseline = request.Baseline is null ? null : BaselineFile.Load(request.Baseline);
        if (!modelGiven)
            ConsoleStreams.ErrorLine("warning: " + DemoModel.Warning);
        foreach (var warning in chat.Warnings) ConsoleStreams.ErrorLine("warning: " + warning);
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
        // The decided result holds what the reports need: the scored rows (an async method keeps its locals alive) can go.
        scored = null!;
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
    static List<(string What, string Path)> Inputs(IEnumerable<string> files, ReportRequest request, string template, string chatTemplate)
    {
        var inputs = files.Select(f => ("input dataset", f)).ToList();
        if (request.Baseline is { } baseline) inputs.Add(("baseline", baseline));
        if (File.Exists(template)) inputs.Add(("template file", template));
        if (chatTemplate is not ("auto" or "none") && File.Exists(chatTemplate)) inputs.Add(("chat template file", chatTemplate));
        return inputs;
    }

    /// <summary>What renders chat rows, as reports name it, and the warnings about it.</summary>
    sealed record ChatRendering(ModelChatTemplate? Template, string? Source, IReadOnlyList<string> Warnings);

    /// <summary>
    /// The model's chat template for <c>--template chat</c> (loaded before the model, so a template GradSentry cannot
    /// render fails at once, as GS2002 naming the file and the position in the template).
    /// </summary>
    static ChatRendering ResolveChatTemplate(string template, string option, string modelDirectory)
    {
        if (!template.Equals(PromptTemplates.ChatName, StringComparison.OrdinalIgnoreCase))
        {
            if (option != "auto") throw new UsageException($"--chat-template applies to --template chat only (the template is '{template}').");
            return new ChatRendering(null, null, []);
        }
        if (option == "none") return new ChatRendering(null, "role: content lines (--chat-template none)", []);
        if (option != "auto" && !File.Exists(option))
            throw new UsageException($"--chat-template: '{option}' is neither auto, none nor an existing Jinja file.");
        ModelChatTemplate? chat;
        try
        {
            chat = option == "auto" ? ModelChatTemplate.Load(modelDirectory) : ModelChatTemplate.FromFile(option, modelDirectory);
        }
        catch (GradSentry.Tokenization.TokenizerLoadException ex)
        {
            throw new ModelLoadException(modelDirectory, ex.Message, ex);
        }
        if (chat is null) return new ChatRendering(null, $"role: content fallback (the model has no chat_template in {ModelChatTemplate.TokenizerConfigFile})", []);
        IReadOnlyList<string> warnings = chat.MarkersNotInVocabulary.Count == 0 ? [] :
        [
            $"the {chat.Description} writes {string.Join(", ", chat.MarkersNotInVocabulary)}, which {(chat.MarkersNotInVocabulary.Count == 1 ? "is not a token" : "are not tokens")} of this model's tokenizer: "
            + "they are scored as ordinary text, so the scores differ from those of a model that has them as special tokens (give --model the model you will fine-tune, with its own tokenizer).",
        ];
        return new ChatRendering(chat, chat.Description, warnings);
    }

    /// <summary>SHA-256 of the template file <paramref name="template"/> names (the template was loaded from it already), or null for a built-in name.</summary>
    internal static string? TemplateFileHash(string template) =>
        PromptTemplates.Names.Contains(template, StringComparer.OrdinalIgnoreCase) || !File.Exists(template)
            ? null
            : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(GradSentry.IO.RegularFile.ReadAllBytes(template, PromptTemplates.MaxFileBytes)));

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

    static IPromptTemplate ResolveTemplate(string name, TemplateOptions options, ModelChatTemplate? chatTemplate)
    {
        var fields = options == new TemplateOptions() ? null : options;
        try
        {
            return PromptTemplates.Resolve(name, fields, chatTemplate);
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
