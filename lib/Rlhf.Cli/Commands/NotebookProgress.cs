using System.CommandLine;
using Rlhf.Notebooks;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary>One line per executed cell, shared by <c>rlhf notebook run</c> and <c>rlhf course</c>.</summary>
static class NotebookProgress
{
    /// <summary>The <c>--cell-timeout SECONDS</c> option both verbs take.</summary>
    public static Option<int> CellTimeoutOption() => new("--cell-timeout")
    {
        Description = "Stop the kernel and fail a cell that runs longer than this many seconds.",
        DefaultValueFactory = _ => (int)new NotebookRunOptions().CellTimeout.TotalSeconds,
        Validators = { result => { if (result.GetValueOrDefault<int>() <= 0) result.AddError("--cell-timeout must be a positive number of seconds"); } },
    };

    public static NotebookRunOptions Options(string? outputPath, int cellTimeoutSeconds) => new()
    {
        OutputPath = outputPath,
        CellTimeout = TimeSpan.FromSeconds(cellTimeoutSeconds),
        // Plain Console for text that may be long (paths, code): Spectre wraps at the terminal width.
        CellStarting = start => Console.Write($"[{start.CodeCellIndex}/{start.CodeCellCount}] cell {start.CellNumber}: {Shorten(start.FirstLine)} "),
        CellFinished = cell => AnsiConsole.MarkupLine(cell.Succeeded
            ? $"[green]ok[/] [grey]{cell.Duration.TotalSeconds:F1}s[/]"
            : $"[red]FAILED[/] [grey]{cell.Duration.TotalSeconds:F1}s[/]"),
    };

    static string Shorten(string line) => line.Length <= 60 ? line : line[..57] + "...";
}
