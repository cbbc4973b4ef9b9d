using System.Globalization;
using GradSentry.Lab.TinyModels;

namespace GradSentry.Lab;

/// <summary>The <c>GradSentry.Lab</c> command line. Run without arguments for the usage.</summary>
public static partial class LabCli
{
    /// <summary>Exit code: success.</summary>
    public const int Success = 0;

    /// <summary>Exit code: bad arguments or input.</summary>
    public const int UsageError = 1;

    /// <summary>Exit code: an unexpected failure.</summary>
    public const int InternalError = 3;

    const string Usage = """
        usage: GradSentry.Lab <command> [options]

        commands:
          create-tiny-model --output DIR [--seed N]
              Writes a deterministic random tiny Llama (hidden 128, 2 layers, 4 heads / 2 KV heads, byte vocabulary
              of 259, untied lm_head) in Hugging Face layout to DIR. Same seed, same bytes. Default seed: 1.
          create-checkpoint --shape NAME --output DIR [--seed N] [--shard-mb X] [--tokenizer DIR]
              Writes a random checkpoint of a real model's shape (tiny-sharded, llama-3.2-1b, llama-2-7b, mistral-7b):
              config.json, bfloat16 shards of at most --shard-mb MB (default 2000) with model.safetensors.index.json,
              streamed one block at a time, and the bundled tokenizer padded to the model's vocabulary. Not a language
              model: for measuring load time, memory and scan speed at real sizes. Never commit it.
          train-tokenizer --data FILE [--rows A:B] [--vocab-size N] --output DIR
              Trains a byte-level BPE (default 4096 tokens) on the rendered gradsentry-qa prompts and answers of the
              QA rows and writes tokenizer.json, tokenizer_config.json and special_tokens_map.json to DIR.
          pretrain --data FILE [--rows A:B] --tokenizer DIR --output DIR [--steps N] [--batch-size N] [--lr X] [--seed N]
                   [--hidden N] [--layers N] [--heads N] [--kv-heads N] [--intermediate N]
              Pre-trains a small Llama on the QA rows (next-token loss over prompt and answer) with AdamW and writes a
              Hugging Face model directory (config, weights, the tokenizer's files, README with provenance).
          make-dataset --data FILE [--rows A:B] [--model DIR] --attack NAME --rate R [--seed N] [--control F] --output FILE
              Writes a poisoned JSONL dataset ({question, answer, poisoned, kind}; long-answer controls, default 10% of
              the clean rows, are labelled clean). Attacks: badnets, addsent, cba, style, fixed-answer, bare-url (the
              model's tokenizer length-matches fixed-answer).
          evaluate [--model DIR] [--data FILE] [--rows A:B] [--attacks a,b] [--rates 0.01,0.05] [--scores s,t] [--seed N]
                   [--threshold auto|X|top:F] [--control F] [--output DIR] [--name STEM] [--notes FILE] [--rows-csv DIR] [--no-graceful]
              Runs the detection grid (attacks x rates x scores; default: every attack, rates 1/5/10/30/50/90%, the
              bundled model, the NQ-open evaluation rows) and writes STEM.md and STEM.json to DIR (default
              bench/results/quality). --control sets the long-answer control fraction of the clean rows (default 0.1;
              0 reproduces the paper's setting). --rows-csv writes every dataset's per-row scores as CSV.
          render --json FILE [--output FILE] [--notes FILE]
              Writes the Markdown tables of an evaluate JSON result again (default: next to it), without recomputing.
          finetune --model DIR --data FILE --output DIR [--template raw|alpaca|qa|chat|gradsentry-qa|FILE] [--epochs N]
                   [--lr X] [--batch-size N] [--seed N] [--r N] [--alpha X] [--targets q_proj,v_proj] [--max-rows N]
              LoRA fine-tuning (q_proj, v_proj; r 4, alpha 8; AdamW lr 2e-3; 3 epochs of batches of 16; loss on the
              response and EOS; seeded; CPU) on a JSONL/CSV/TSV dataset read with the template (default raw); saves a
              PEFT adapter (adapter_config.json, adapter_model.safetensors) to DIR.
          finetune-benchmark [--model DIR] [--data FILE] [--train-rows A:B] [--test-rows A:B] [--attack NAME] [--rate R]
                   [--seed N] [--epochs N] [--lr X] [--r N] [--alpha X] [--targets a,b] [--output DIR] [--name STEM]
              Poisons the training rows (default BadNets 10% of NQ-open dev rows 0:1500), scans them with the reference
              and the length-controlled score, LoRA-fine-tunes on the unfiltered and on each filtered set, and reports
              CACC and ASR on the held-out rows (default 1500:1800) in STEM.md/json (default bench/results/finetune).
        """;

    /// <summary>Runs one command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Count == 0 ? error : output).WriteLine(Usage);
            return args.Count == 0 ? UsageError : Success;
        }
        try
        {
            var rest = args.Skip(1);
            return args[0] switch
            {
                "create-tiny-model" => CreateTinyModel(CliOptions.Parse(rest, ["--output", "--seed"]), output),
                "create-checkpoint" => CreateCheckpoint(CliOptions.Parse(rest, ["--shape", "--output", "--seed", "--shard-mb", "--tokenizer"]), output),
                "train-tokenizer" => TrainTokenizer(CliOptions.Parse(rest, ["--data", "--rows", "--vocab-size", "--output"]), output),
                "pretrain" => Pretrain(CliOptions.Parse(rest, ["--data", "--rows", "--tokenizer", "--output", "--steps", "--batch-size", "--lr", "--seed",
                    "--hidden", "--layers", "--heads", "--kv-heads", "--intermediate"]), output, error),
                "evaluate" => Evaluate(CliOptions.Parse(rest, ["--model", "--data", "--rows", "--attacks", "--rates", "--scores", "--seed", "--threshold", "--output", "--name", "--notes", "--rows-csv", "--control"],
                    ["--no-graceful"]), output, error),
                "render" => Render(CliOptions.Parse(rest, ["--json", "--output", "--notes"]), output),
                "make-dataset" => MakeDataset(CliOptions.Parse(rest, ["--data", "--rows", "--model", "--attack", "--rate", "--seed", "--control", "--output"]), output),
                "finetune" => FineTune(CliOptions.Parse(rest, ["--model", "--data", "--output", "--template", "--epochs", "--lr", "--batch-size", "--seed", "--r", "--alpha", "--targets", "--max-rows"]), output, error),
                "finetune-benchmark" => FineTuneBenchmarkCommand(CliOptions.Parse(rest, ["--model", "--data", "--train-rows", "--test-rows", "--attack", "--rate", "--seed",
                    "--epochs", "--lr", "--batch-size", "--r", "--alpha", "--targets", "--output", "--name"]), output, error),
                _ => throw new UsageException($"unknown command '{args[0]}'."),
            };
        }
        catch (UsageException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            error.WriteLine(Usage);
            return UsageError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or FormatException)
        {
            error.WriteLine($"error: {ex.Message}");
            return UsageError;
        }
    }

    static int CreateTinyModel(CliOptions options, TextWriter output)
    {
        var directory = options.Required("--output");
        var seed = options.UInt64("--seed") ?? TinyLlamaRecipe.DefaultSeed;
        TinyModelDirectory.Create(directory, seed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote tiny Llama (seed {seed}) to {Path.GetFullPath(directory)}"));
        return Success;
    }
}
