using System.Globalization;
using Rlhf.Data;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary>What a loader counted as suspicious, said where the user sees it (the records are kept, never dropped silently).</summary>
static class DataWarnings
{
    /// <summary>Warns when training pairs have identical chosen and rejected responses: they carry no preference (zero gradient
    /// for the pairwise losses) and usually mean a broken export.</summary>
    public static void IdenticalPairs(LoadReport report)
    {
        AnsiConsole.MarkupLine(Markup.Escape("data: " + report.Summary));
        if (report.IdenticalPairs == 0) return;
        var lines = string.Join(", ", report.IdenticalPairLines.Take(5).Select(l => l.ToString(CultureInfo.InvariantCulture)));
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"warning: {report.IdenticalPairs:N0} of {report.Records:N0} pairs in {report.File} have identical chosen and rejected responses (lines {lines}{(report.IdenticalPairs > 5 ? ", ..." : "")}): they were kept but teach no preference.")));
    }
}
