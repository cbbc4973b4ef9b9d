using System.Text.RegularExpressions;

namespace GradSentry.Build;

/// <summary>
/// The tool's messages speak of its command-line options; in a build they come from MSBuild properties. Rewrites the
/// options the gate sets (<c>--max-poison-fraction</c> → <c>GradSentry_MaxPoisonFraction</c>, ...) in every message the
/// task relays, so the message names what the user can change in the project.
/// </summary>
internal static partial class MsBuildWording
{
    static readonly Dictionary<string, string> Properties = new(StringComparer.Ordinal)
    {
        ["--model"] = "GradSentry_Model",
        ["--threshold"] = "GradSentry_Threshold",
        ["--max-poison-fraction"] = "GradSentry_MaxPoisonFraction",
        ["--template"] = "GradSentry_Template",
        ["--prompt-field"] = "GradSentry_PromptField",
        ["--score"] = "GradSentry_Score",
        ["--chat-template"] = "GradSentry_ChatTemplate",
        ["--response-field"] = "GradSentry_ResponseField",
        ["--baseline"] = "GradSentry_Baseline",
        ["--filtered-output"] = "GradSentry_FilteredOutput",
        ["--report"] = "GradSentry_ReportDirectory",
    };

    /// <summary><paramref name="message"/> with the gate's options replaced by their MSBuild properties.</summary>
    public static string Rewrite(string message) =>
        string.IsNullOrEmpty(message) ? message : OptionPattern().Replace(message, m => Properties.TryGetValue(m.Value, out var property) ? property : m.Value);

    /// <summary>The MSBuild property for a tool option, or null when the gate does not set it.</summary>
    public static string? PropertyFor(string option) => Properties.TryGetValue(option, out var property) ? property : null;

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z-]*[a-z]\b")]
    private static partial Regex OptionPattern();
}
