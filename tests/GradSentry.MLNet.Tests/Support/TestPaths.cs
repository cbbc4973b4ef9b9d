namespace GradSentry.MLNet.Tests.Support;

/// <summary>Locates repository files from the test output folder (tests never read ../shared).</summary>
public static class TestPaths
{
    /// <summary>The repository root (the folder holding GradSentry.MLNet.sln).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>samples/models/tiny-llama: the bundled tiny model.</summary>
    public static string TinyModel => Path.Combine(RepoRoot, "samples", "models", "tiny-llama");

    /// <summary>A golden data file under tests/fixtures/golden/data ({"prompt","response","poisoned"} rows).</summary>
    public static string GoldenData(string name) => Path.Combine(RepoRoot, "tests", "fixtures", "golden", "data", name + ".jsonl");

    /// <summary>A fresh temporary directory, deleted by the returned handle.</summary>
    public static TempDirectory NewTempDirectory() => new();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GradSentry.MLNet.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary directory removed on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Full path of the directory.</summary>
    public string Path { get; } = Directory.CreateTempSubdirectory("gradsentry-mlnet-test-").FullName;

    /// <summary>Path of a file inside the directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
