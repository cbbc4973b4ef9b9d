namespace GradSentry.Tool.Reports;

/// <summary>The options a scan ran with, as reports show them (the user's spelling, not the engine's).</summary>
public sealed record ReportOptions
{
    /// <summary>Model directory as given.</summary>
    public required string Model { get; init; }

    /// <summary>Target parameter.</summary>
    public required string Target { get; init; }

    /// <summary>k.</summary>
    public required int Rank { get; init; }

    /// <summary>Slice factor.</summary>
    public required int Slice { get; init; }

    /// <summary><c>reference</c> or <c>length-controlled</c>.</summary>
    public required string Score { get; init; }

    /// <summary>Threshold rule as typed.</summary>
    public required string Threshold { get; init; }

    /// <summary>Gate limit.</summary>
    public required double MaxPoisonFraction { get; init; }

    /// <summary>Device as typed.</summary>
    public required string Device { get; init; }

    /// <summary>Compute dtype as typed (<c>auto</c> unless given); the dtype it resolved to is in the result's options.</summary>
    public string DType { get; init; } = "auto";

    /// <summary>Batch size.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Rows bucketed by length before batching (and the shard block size).</summary>
    public int Window { get; init; } = 512;

    /// <summary>Maximum length, or null for the model's.</summary>
    public int? MaxLength { get; init; }

    /// <summary>ONION's most deletions per row (<c>--onion-max-deletions</c>).</summary>
    public int OnionMaxDeletions { get; init; } = new GradSentry.Detection.OnionOptions().MaxDeletions;

    /// <summary>Template name or file.</summary>
    public required string Template { get; init; }

    /// <summary>
    /// What rendered chat rows (<c>--template chat</c> only, else null): <c>chat_template from tokenizer_config.json</c>
    /// (or the template file's name), or the <c>role: content</c> fallback and why it was used.
    /// </summary>
    public string? TemplateSource { get; init; }

    /// <summary>Warnings about the template, shown in every report (markup of the chat_template that is not a token of the model).</summary>
    public IReadOnlyList<string> TemplateWarnings { get; init; } = [];

    /// <summary>Prompt field override.</summary>
    public string? PromptField { get; init; }

    /// <summary>Response field override.</summary>
    public string? ResponseField { get; init; }

    /// <summary>Message list field override (chat).</summary>
    public string? MessagesField { get; init; }

    /// <summary>Message role key override (chat).</summary>
    public string? RoleField { get; init; }

    /// <summary>Message text key override (chat).</summary>
    public string? ContentField { get; init; }

    /// <summary>SHA-256 of the template file when <see cref="Template"/> names a file, else null (shards scanned with different template files are not merged).</summary>
    public string? TemplateContentHash { get; init; }

    /// <summary>Dataset format given with <c>--input-format</c>, or null when told by the extension.</summary>
    public string? InputFormat { get; init; }

    /// <summary>Baseline file, if any.</summary>
    public string? Baseline { get; init; }

    /// <summary>True when no model was given and the bundled demo model scored (every report says so).</summary>
    public bool DemoModel { get; init; }

    /// <summary>Blank lines skipped while reading the data (not rows; line numbers still count them).</summary>
    public long BlankLinesSkipped { get; init; }
}
