namespace GradSentry.Bench;

/// <summary>One benchmark, run as a subcommand of the bench program.</summary>
internal interface IBenchmark
{
    /// <summary>The subcommand, e.g. <c>checkpoint-load</c>.</summary>
    string Name { get; }

    /// <summary>One line for the usage text (options included).</summary>
    string Usage { get; }

    /// <summary>Runs with the arguments after the subcommand; returns the exit code.</summary>
    int Run(IReadOnlyList<string> args);
}
