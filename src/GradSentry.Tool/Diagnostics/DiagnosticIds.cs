// This file has no dependencies beyond the base class library so that the MSBuild task
// (src/GradSentry.Build) can compile the same source file by linking it.
using System;
using System.Collections.Generic;

namespace GradSentry.Tool.Diagnostics;

/// <summary>
/// The diagnostic IDs GradSentry reports, by range: GS1xxx findings in the data, GS2xxx inputs that cannot be used,
/// GS3xxx baseline upkeep. Each has a page under <c>docs/rules/</c>.
/// </summary>
public static class DiagnosticIds
{
    /// <summary>The flagged fraction of the dataset exceeds the allowed maximum (error; fails the gate).</summary>
    public const string PoisonFractionOverLimit = "GS1001";

    /// <summary>A row scored above the threshold: a suspect (warning).</summary>
    public const string SuspectRow = "GS1002";

    /// <summary>A dataset file is missing, unreadable or malformed (error).</summary>
    public const string UnreadableDataset = "GS2001";

    /// <summary>The model directory cannot be loaded (error).</summary>
    public const string ModelCannotBeLoaded = "GS2002";

    /// <summary>A row could not be scored, e.g. its response does not fit the maximum length (error).</summary>
    public const string RowCannotBeScored = "GS2003";

    /// <summary>The detector could not examine a row (ONION on a prompt with no deletable word); it scored 0 but is not cleared (warning).</summary>
    public const string RowNotExamined = "GS2004";

    /// <summary>A baseline entry matches no row of the scanned data (warning).</summary>
    public const string StaleBaselineEntry = "GS3001";

    /// <summary>Where the rule pages live.</summary>
    public const string HelpLinkBase = "https://github.com/gradsentry/GradSentry.MLNet/blob/main/docs/rules/";

    /// <summary>Every ID, in order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [PoisonFractionOverLimit, SuspectRow, UnreadableDataset, ModelCannotBeLoaded, RowCannotBeScored, RowNotExamined, StaleBaselineEntry];

    /// <summary>The help page of <paramref name="id"/>.</summary>
    public static string HelpLink(string id) => HelpLinkBase + id + ".md";

    /// <summary>A short title of <paramref name="id"/> (SARIF rule names, report headings).</summary>
    /// <exception cref="ArgumentException">An unknown ID.</exception>
    public static string Title(string id) => id switch
    {
        PoisonFractionOverLimit => "Poison fraction over the limit",
        SuspectRow => "Suspect row",
        UnreadableDataset => "Unreadable or malformed dataset",
        ModelCannotBeLoaded => "Model cannot be loaded",
        RowCannotBeScored => "Row could not be scored",
        RowNotExamined => "Row not examined by the detector",
        StaleBaselineEntry => "Stale baseline entry",
        _ => throw new ArgumentException("Unknown GradSentry diagnostic ID '" + id + "'.", nameof(id)),
    };

    /// <summary>True when <paramref name="id"/> is reported as an error by default (false: a warning).</summary>
    /// <exception cref="ArgumentException">An unknown ID.</exception>
    public static bool IsErrorByDefault(string id) => id switch
    {
        PoisonFractionOverLimit or UnreadableDataset or ModelCannotBeLoaded or RowCannotBeScored => true,
        SuspectRow or RowNotExamined or StaleBaselineEntry => false,
        _ => throw new ArgumentException("Unknown GradSentry diagnostic ID '" + id + "'.", nameof(id)),
    };
}
