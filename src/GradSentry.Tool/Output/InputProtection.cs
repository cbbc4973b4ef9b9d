using GradSentry.IO;
using GradSentry.Tool.Commands;
using GradSentry.Tool.Formatters;

namespace GradSentry.Tool.Output;

/// <summary>
/// The inputs are never modified: an output path that names an input (the same path, a symbolic link to it, or a hard
/// link to it: the same file on disk) is refused before any work, and so are two outputs that name one file.
/// </summary>
public static class InputProtection
{
    /// <summary>The output files of <paramref name="request"/>, each with the option that names it.</summary>
    public static IReadOnlyList<(string Option, string Path)> Outputs(ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outputs = new List<(string Option, string Path)>();
        if (request.Output is { } output) outputs.Add(("--output", output));
        if (request.FilteredOutput is { } filtered) outputs.Add(("--filtered-output", filtered));
        if (request.ReportDirectory is { } folder)
            outputs.AddRange(ReportFormatters.All.Select(f => ("--report", Path.Combine(folder, f.FileName))));
        return outputs;
    }

    /// <summary>Throws when an output names an input or another output.</summary>
    /// <param name="outputs">Each output path with the option that named it.</param>
    /// <param name="inputs">Each input path with what it is (<c>dataset</c>, <c>baseline</c>, ...).</param>
    /// <exception cref="UsageException">An output is an input, or two outputs are one file (the message names both).</exception>
    public static void Check(IEnumerable<(string Option, string Path)> outputs, IEnumerable<(string What, string Path)> inputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        var known = inputs.Select(i => (i.What, i.Path, Facts: FileFacts.Of(i.Path), Full: Path.GetFullPath(i.Path))).ToList();
        var seen = new List<(string Option, string Path, FileFacts Facts, string Full)>();
        foreach (var (option, path) in outputs)
        {
            var facts = FileFacts.Of(path);
            var full = Path.GetFullPath(path);
            foreach (var input in known)
                if (Same(full, facts, input.Full, input.Facts))
                    throw new UsageException(
                        $"{option} '{path}' is the {input.What} '{input.Path}'{How(path, full, input.Full)}; GradSentry never modifies its inputs. Write the output to another file.");
            foreach (var other in seen)
                if (Same(full, facts, other.Full, other.Facts))
                    throw new UsageException($"{option} '{path}' and {other.Option} '{other.Path}' are the same file; give each output its own file.");
            seen.Add((option, path, facts, full));
        }
    }

    static bool Same(string fullA, FileFacts a, string fullB, FileFacts b) =>
        string.Equals(fullA, fullB, StringComparison.Ordinal) || a.IsSameFileAs(b) ||
        (!a.Exists && string.Equals(a.ResolvedPath, b.ResolvedPath, StringComparison.Ordinal));

    static string How(string path, string full, string inputFull)
    {
        if (string.Equals(full, inputFull, StringComparison.Ordinal)) return "";
        var link = FileFacts.Of(path, followLinks: false);
        return link.Kind == FileKind.SymbolicLink ? " (through a symbolic link)" : " (another name for the same file: a hard link or a linked folder)";
    }
}
