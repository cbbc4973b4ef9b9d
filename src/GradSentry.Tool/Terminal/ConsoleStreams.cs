using Spectre.Console;

namespace GradSentry.Tool.Terminal;

/// <summary>The Spectre.Console instance bound to standard error (progress, messages); standard output stays for reports.</summary>
public static class ConsoleStreams
{
    /// <summary>A console that writes to standard error.</summary>
    public static IAnsiConsole Error { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });

    /// <summary>Writes one line to standard error as is (no markup).</summary>
    public static void ErrorLine(string text) => Console.Error.WriteLine(text);
}
