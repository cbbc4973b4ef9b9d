using System.Globalization;
using GradSentry.Lab.TinyModels;

namespace GradSentry.Lab;

/// <summary>The <c>GradSentry.Lab</c> command line: <c>create-tiny-model --output DIR [--seed N]</c>.</summary>
public static class LabCli
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
            return args[0] switch
            {
                "create-tiny-model" => CreateTinyModel(Options.Parse(args.Skip(1), ["--output", "--seed"]), output),
                _ => throw new UsageException($"unknown command '{args[0]}'."),
            };
        }
        catch (UsageException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            error.WriteLine(Usage);
            return UsageError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            error.WriteLine($"error: {ex.Message}");
            return UsageError;
        }
    }

    static int CreateTinyModel(Options options, TextWriter output)
    {
        var directory = options.Required("--output");
        var seed = options.UInt64("--seed") ?? TinyLlamaRecipe.DefaultSeed;
        TinyModelDirectory.Create(directory, seed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote tiny Llama (seed {seed}) to {Path.GetFullPath(directory)}"));
        return Success;
    }

    sealed class UsageException(string message) : Exception(message);

    /// <summary><c>--name value</c> pairs.</summary>
    sealed class Options(Dictionary<string, string> values)
    {
        public static Options Parse(IEnumerable<string> args, IReadOnlyCollection<string> known)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            using var e = args.GetEnumerator();
            while (e.MoveNext())
            {
                var name = e.Current;
                if (!known.Contains(name)) throw new UsageException($"unknown option '{name}'.");
                if (!e.MoveNext()) throw new UsageException($"option '{name}' needs a value.");
                if (!values.TryAdd(name, e.Current)) throw new UsageException($"option '{name}' is given twice.");
            }
            return new Options(values);
        }

        public string Required(string name) =>
            values.TryGetValue(name, out var v) && v.Length > 0 ? v : throw new UsageException($"option '{name}' is required.");

        public ulong? UInt64(string name)
        {
            if (!values.TryGetValue(name, out var v)) return null;
            return ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new UsageException($"option '{name}' must be a non-negative integer, got '{v}'.");
        }
    }
}
