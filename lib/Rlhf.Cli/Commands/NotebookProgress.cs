using Rlhf.Notebooks;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary>One line per executed cell, shared by <c>rlhf notebook run</c> and <c>rlhf course</c>.</summary>
static class NotebookProgress
{
    public static NotebookRunOptions Options(string? outputPath) => new()
    {
        OutputPath = outputPath,
        // Plain Console for text that may be long (paths, code): Spectre wraps at the terminal width.
        CellStarting = start => Console.Write($"[{start.CodeCellIndex}/{start.CodeCellCount}] cell {start.CellNumber}: {Shorten(start.FirstLine)} "),
        CellFinished = cell => AnsiConsole.MarkupLine(cell.Succeeded
            ? $"[green]ok[/] [grey]{cell.Duration.TotalSeconds:F1}s[/]"
            : $"[red]FAILED[/] [grey]{cell.Duration.TotalSeconds:F1}s[/]"),
    };

    static string Shorten(string line) => line.Length <= 60 ? line : line[..57] + "...";
}
