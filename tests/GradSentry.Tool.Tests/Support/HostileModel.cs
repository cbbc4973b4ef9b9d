using System.Diagnostics;
using System.Text.Json.Nodes;
using GradSentry.Checkpoints;
using static TorchSharp.torch;

namespace GradSentry.Tool.Tests.Support;

/// <summary>Copies of the golden tiny model with one thing broken, and special files (FIFOs, links to devices).</summary>
public static class HostileModel
{
    /// <summary>The golden byte-level tiny Llama (fixed content).</summary>
    public static string TinyModel => Path.Combine(ToolProcess.RepoRoot, "tests", "fixtures", "golden", "models", "tiny-llama");

    /// <summary>Copies the tiny model into <paramref name="folder"/>/model and returns that path.</summary>
    public static string Copy(TempFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var target = folder.File("model");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(TinyModel)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    /// <summary>Rewrites <paramref name="model"/>/model.safetensors through <paramref name="edit"/> (name → float32 tensor), stored as <paramref name="dtype"/>.</summary>
    public static void EditWeights(string model, Action<Dictionary<string, Tensor>> edit, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(edit);
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> tensors;
        using (var checkpoint = CheckpointDirectory.Open(model))
            tensors = checkpoint.Tensors.ToDictionary(t => t.Name, t => checkpoint.Load(t.Name, ScalarType.Float32, CPU));
        edit(tensors);
        SafeTensorsWriter.Write(Path.Combine(model, "model.safetensors"), tensors.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.to(dtype))).ToList());
    }

    /// <summary>Sets one field of <paramref name="model"/>/config.json.</summary>
    public static void SetConfig(string model, string field, JsonNode value)
    {
        var path = Path.Combine(model, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json[field] = value;
        File.WriteAllText(path, json.ToJsonString());
    }

    /// <summary>Creates a FIFO (named pipe) at <paramref name="path"/> with <c>mkfifo</c>.</summary>
    public static void MakeFifo(string path)
    {
        using var process = Process.Start("mkfifo", [path]) ?? throw new InvalidOperationException("mkfifo did not start.");
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"mkfifo {path} failed ({process.ExitCode}).");
    }
}
