using System.CommandLine;
using Rlhf.Notebooks;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf notebook run</c>: execute a course notebook headless and write it with its outputs.</summary>
static class NotebookCommand
{
    public static Command Create()
    {
        var path = new Argument<FileInfo>("notebook") { Description = "The .ipynb notebook to run, e.g. notebooks/00-setup.ipynb." };
        var output = new Option<FileInfo?>("--out")
        {
            Description = "Where to write the executed notebook (default: out/notebooks/<name>.ipynb under the current folder).",
        };
        var smoke = new Option<bool>("--smoke")
        {
            Description = $"Smoke run: tiny training sizes, same notebook text (sets {CourseRun.SmokeVariable}=1).",
        };
        var cellTimeout = NotebookProgress.CellTimeoutOption();
        var run = new Command("run", "Execute every code cell in order in the .NET Interactive kernel, stop at the first failing cell, write the executed notebook.")
        {
            path, output, smoke, cellTimeout,
        };
        run.SetAction((parse, cancellation) => Run(parse.GetValue(path)!, parse.GetValue(output), parse.GetValue(smoke), parse.GetValue(cellTimeout), cancellation));
        return new Command("notebook", "Work with the course notebooks.") { run };
    }

    static async Task<int> Run(FileInfo notebook, FileInfo? output, bool smoke, int cellTimeout, CancellationToken cancellation)
    {
        if (smoke) Environment.SetEnvironmentVariable(CourseRun.SmokeVariable, "1");
        var outputPath = output?.FullName ?? Path.Combine("out", "notebooks", notebook.Name);
        var options = NotebookProgress.Options(outputPath, cellTimeout);

        NotebookRunResult result;
        try
        {
            Console.WriteLine($"Running {notebook.FullName}{(CourseRun.IsSmoke ? " (smoke sizes)" : "")}");
            result = await NotebookRunner.RunAsync(notebook.FullName, options, cancellation);
        }
        catch (Exception e) when (e is NotebookFormatException or KernelException or ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            AnsiConsole.MarkupLine("[red]The notebook could not be run.[/]");
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        Console.WriteLine($"Executed notebook written to {result.OutputPath}");
        if (result.Failure is { } failure)
        {
            AnsiConsole.MarkupLine($"[red]Notebook failed[/] after {result.Cells.Count} code cell(s), {result.Duration.TotalSeconds:F1}s:");
            Console.Error.WriteLine(failure.Describe(notebook.FullName));
            return 1;
        }
        AnsiConsole.MarkupLine($"[green]All {result.Cells.Count} code cells ran[/] in {result.Duration.TotalSeconds:F1}s.");
        return 0;
    }

}
