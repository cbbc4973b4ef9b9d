using System.Text;

namespace GradSentry.Build;

/// <summary>
/// How to start the tool, from <c>GradSentry_ToolCommand</c>: an executable followed by the arguments that come
/// before <c>scan</c> (<c>dotnet gradsentry</c>, <c>dotnet /path/GradSentry.Tool.dll</c>, <c>/opt/gradsentry</c>).
/// Arguments are split on whitespace; double quotes group an argument that holds spaces.
/// </summary>
/// <param name="Executable">The program: a name looked up on PATH or a path.</param>
/// <param name="Arguments">The arguments before the scan command's own.</param>
internal sealed record ToolCommand(string Executable, IReadOnlyList<string> Arguments)
{
    /// <summary>The default: the local tool through the <c>dotnet</c> host.</summary>
    public const string Default = "dotnet gradsentry";

    /// <summary>Splits a command; null when it holds no executable or an unterminated quote.</summary>
    public static ToolCommand? TryParse(string? command)
    {
        var tokens = Split(command);
        return tokens is null || tokens.Count == 0 ? null : new ToolCommand(tokens[0], tokens.Skip(1).ToArray());
    }

    /// <summary>Splits on whitespace outside double quotes; quotes are removed; null for an unterminated quote.</summary>
    public static List<string>? Split(string? command)
    {
        var tokens = new List<string>();
        if (string.IsNullOrWhiteSpace(command))
        {
            return tokens;
        }

        var current = new StringBuilder();
        var inQuotes = false;
        var hasToken = false;
        foreach (var c in command)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
                hasToken = true;
            }
            else if (char.IsWhiteSpace(c) && !inQuotes)
            {
                if (hasToken)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    hasToken = false;
                }
            }
            else
            {
                current.Append(c);
                hasToken = true;
            }
        }

        if (inQuotes)
        {
            return null;
        }

        if (hasToken)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    /// <summary>
    /// The full path of <see cref="Executable"/>: as given when it names a path; for <c>dotnet</c> the host that runs
    /// this build (<c>DOTNET_HOST_PATH</c>) when set; otherwise the first match on PATH; null when none is found.
    /// </summary>
    public string? ResolveExecutable(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (Executable.Contains('/', StringComparison.Ordinal) || Executable.Contains('\\', StringComparison.Ordinal))
        {
            return Path.GetFullPath(Executable);
        }

        if (IsDotnet(Executable))
        {
            var host = environment("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
            {
                return host;
            }
        }

        var path = environment("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        var extensions = OperatingSystem.IsWindows()
            ? (environment("PATHEXT") ?? ".EXE;.CMD;.BAT").Split(';', StringSplitOptions.RemoveEmptyEntries)
            : [];
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, Executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            foreach (var extension in extensions)
            {
                if (File.Exists(candidate + extension))
                {
                    return candidate + extension;
                }
            }
        }

        return null;
    }

    /// <summary>True when <see cref="Executable"/> is the default local-tool form (<c>dotnet gradsentry</c>).</summary>
    public bool IsLocalTool => IsDotnet(Executable) && Arguments.Count > 0 && string.Equals(Arguments[0], "gradsentry", StringComparison.Ordinal);

    /// <summary>True when <see cref="Executable"/> is the SDK's one-shot runner (<c>dotnet tool exec PACKAGE@VERSION --</c>).</summary>
    public bool IsToolExec => IsDotnet(Executable) && Arguments.Count > 1 && string.Equals(Arguments[0], "tool", StringComparison.Ordinal)
        && (string.Equals(Arguments[1], "exec", StringComparison.Ordinal) || string.Equals(Arguments[1], "execute", StringComparison.Ordinal));

    static bool IsDotnet(string executable) =>
        string.Equals(executable, "dotnet", StringComparison.Ordinal) || string.Equals(executable, "dotnet.exe", StringComparison.OrdinalIgnoreCase);
}
