using System.Diagnostics;
using System.Globalization;
using GradSentry.Lab.ScaleModels;

namespace GradSentry.Lab;

public static partial class LabCli
{
    static int CreateCheckpoint(CliOptions options, TextWriter output)
    {
        var shapeName = options.Required("--shape");
        ModelShape shape;
        try
        {
            shape = ModelShape.Find(shapeName);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException("--shape: " + ex.Message, ex);
        }
        var directory = options.Required("--output");
        var seed = options.UInt64("--seed") ?? 1;
        var shardMb = options.Double("--shard-mb", min: 0.01) ?? RandomCheckpoint.DefaultShardBytes / 1e6;
        var tokenizer = options.String("--tokenizer") ?? BundledModelDirectory();
        var bytes = shape.Parameters * 2;
        Directory.CreateDirectory(directory);
        var free = new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        if (bytes > free)
            throw new IOException(string.Create(CultureInfo.InvariantCulture,
                $"{shape.Name} needs {bytes / 1e9:0.0} GB on disk but '{Path.GetFullPath(directory)}' has {free / 1e9:0.0} GB free."));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"writing {shape.Name} ({shape.Parameters / 1e6:0.#}M parameters, {bytes / 1e6:0.#} MB bf16) to {Path.GetFullPath(directory)}"));
        var clock = Stopwatch.StartNew();
        var shards = RandomCheckpoint.Write(directory, shape, tokenizer, seed, (long)(shardMb * 1e6), output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {shards.Count} shard(s) in {clock.Elapsed.TotalSeconds:0.0} s"));
        return Success;
    }

    /// <summary>The bundled model directory: relative to the working directory, else above the program's folder.</summary>
    static string BundledModelDirectory()
    {
        if (Directory.Exists(BundledModel)) return BundledModel;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, BundledModel);
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new UsageException($"the bundled model ({BundledModel}) was not found; pass --tokenizer DIR (a model directory with a byte-level BPE tokenizer.json).");
    }
}
