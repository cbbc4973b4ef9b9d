namespace GradSentry.Build.Tests.Support;

/// <summary>
/// A shell script standing in for <c>dotnet gradsentry</c>: records its arguments, prints the given stdout and
/// stderr and exits with the given code. Lets the task's process handling run for real without libtorch.
/// </summary>
public sealed class FakeTool : IDisposable
{
    readonly TempDirectory _dir = TestPaths.NewTempDirectory();

    public FakeTool()
    {
        Script = _dir.File("fake gradsentry.sh");
        File.WriteAllText(Script, """
            #!/bin/sh
            printf '%s\n' "--run--" "$@" >> "$FAKE_ARGS"
            if [ -f "$FAKE_STDOUT" ]; then cat "$FAKE_STDOUT"; fi
            if [ -f "$FAKE_STDERR" ]; then cat "$FAKE_STDERR" >&2; fi
            exit "${FAKE_EXIT:-0}"
            """.ReplaceLineEndings("\n"));
        ArgsFile = _dir.File("args.txt");
    }

    public string Script { get; }

    public string ArgsFile { get; }

    public string Directory => _dir.Path;

    /// <summary>The command for <c>GradSentry_ToolCommand</c>.</summary>
    public string Command => $"/bin/sh \"{Script}\"";

    /// <summary>Environment for the task: what to print and the exit code.</summary>
    public string[] Environment(int exitCode, string stdout = "", string stderr = "")
    {
        File.WriteAllText(_dir.File("stdout.txt"), stdout);
        File.WriteAllText(_dir.File("stderr.txt"), stderr);
        return [$"FAKE_ARGS={ArgsFile}", $"FAKE_STDOUT={_dir.File("stdout.txt")}", $"FAKE_STDERR={_dir.File("stderr.txt")}", $"FAKE_EXIT={exitCode}"];
    }

    /// <summary>The arguments of each run, in order.</summary>
    public List<List<string>> Runs()
    {
        var runs = new List<List<string>>();
        if (!File.Exists(ArgsFile))
        {
            return runs;
        }

        foreach (var line in File.ReadAllLines(ArgsFile))
        {
            if (line == "--run--")
            {
                runs.Add([]);
            }
            else
            {
                runs[^1].Add(line);
            }
        }

        return runs;
    }

    public void Dispose() => _dir.Dispose();
}
