namespace GradSentry.Tool;

/// <summary>The process exit codes of <c>dotnet gradsentry</c>. Scripts and the MSBuild gate depend on these values.</summary>
public static class ExitCodes
{
    /// <summary>The scan ran and the gate passed (or the command succeeded).</summary>
    public const int Passed = 0;

    /// <summary>A usage or input error: bad option, unreadable or malformed dataset, model that cannot be loaded, row that cannot be scored.</summary>
    public const int UsageOrInputError = 1;

    /// <summary>The scan ran and the gate failed: the flagged fraction exceeds <c>--max-poison-fraction</c>.</summary>
    public const int GateFailed = 2;

    /// <summary>An unexpected internal error (a bug: please report it with the message).</summary>
    public const int InternalError = 3;

    /// <summary>
    /// An input/output error of the environment (<c>EX_IOERR</c> of sysexits.h): an output or the score cache could not be
    /// written (disk full, file size limit, permissions) or a file failed while being read. The message names the file;
    /// outputs are left as they were and the cache keeps every complete record.
    /// </summary>
    public const int IoError = 74;

    /// <summary>Cancelled with Ctrl+C (128 + SIGINT); the score cache keeps what was scored and a rerun resumes.</summary>
    public const int Cancelled = 130;
}
