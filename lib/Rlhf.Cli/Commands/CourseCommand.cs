using System.CommandLine;
using System.Globalization;
using Rlhf.Notebooks;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf course</c>: the main job. Runs every course notebook headless, in order, and writes the executed
/// notebooks, their HTML renderings, <c>results.json</c> and <c>report.html</c>; prints the evaluation table and each
/// notebook's time at the end.</summary>
static class CourseCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "course")) };
        var notebooks = new Option<DirectoryInfo>("--notebooks") { Description = "Folder of NN-title.ipynb notebooks.", DefaultValueFactory = _ => new DirectoryInfo("notebooks") };
        var cellTimeout = NotebookProgress.CellTimeoutOption();
        var smoke = new Option<bool>("--smoke") { Description = $"Smoke run: tiny training sizes, same notebook text (sets {CourseRun.SmokeVariable}=1)." };
        var command = new Command("course", "Run the whole course headless (notebooks 00, 01, ... in order) into out/course/ with report.html.")
        {
            output, notebooks, smoke, cellTimeout,
        };
        command.SetAction((parse, cancellation) => Run(parse.GetValue(notebooks)!, parse.GetValue(output)!, parse.GetValue(smoke), parse.GetValue(cellTimeout), cancellation));
        return command;
    }

    static async Task<int> Run(DirectoryInfo notebooks, DirectoryInfo output, bool smoke, int cellTimeout, CancellationToken cancellation)
    {
        if (smoke) Environment.SetEnvironmentVariable(CourseRun.SmokeVariable, "1");
        CourseResult result;
        try
        {
            result = await CourseRunner.RunAsync(notebooks.FullName, output.FullName,
                name => AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]{(CourseRun.IsSmoke ? " [grey](smoke sizes)[/]" : "")}"),
                NotebookProgress.Options(null, cellTimeout), cancellation);
        }
        catch (Exception e) when (e is NotebookFormatException or KernelException or IOException or UnauthorizedAccessException or InvalidOperationException or DirectoryNotFoundException)
        {
            AnsiConsole.MarkupLine("[red]The course could not be run.[/]");
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        foreach (var failed in result.Notebooks.Where(n => !n.Result.Succeeded))
            Console.Error.WriteLine(failed.Result.Failure!.Describe(failed.Result.NotebookPath));
        Console.WriteLine();
        Console.WriteLine(CourseReport.TableText(result.Results));
        Console.WriteLine();
        foreach (var notebook in result.Notebooks)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{notebook.Name,-28} {notebook.Result.Duration.TotalSeconds,8:F1} s{(notebook.Result.Succeeded ? "" : "  (failed)")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",-28} {result.Notebooks.Sum(n => n.Result.Duration.TotalSeconds),8:F1} s"));
        var claims = result.Claims;
        var failing = CourseClaims.Failing(claims);
        Console.WriteLine($"Claims the notebooks check on their run: {claims.Count(c => c.Claim.Holds == true)} of {claims.Count} hold" +
                          (claims.Any(c => c.Claim.Holds is null) ? $", {claims.Count(c => c.Claim.Holds is null)} asserted at full size only" : ""));
        foreach (var c in failing) Console.WriteLine($"  ✗ {c.Notebook}: {c.Claim.Text}: {c.Claim.Figures}");
        Console.WriteLine($"Results: {result.ResultsPath}");
        Console.WriteLine($"Report: {result.ReportPath}");
        AnsiConsole.MarkupLine(result.Succeeded
            ? $"[green]All {result.Notebooks.Count} notebooks ran.[/]"
            : $"[red]{result.Notebooks.Count(n => !n.Result.Succeeded)} of {result.Notebooks.Count} notebooks failed.[/]");
        return result.Succeeded ? 0 : 1;
    }
}
