using Rlhf.Notebooks;

namespace Rlhf.Tests.Notebooks;

/// <summary>The main job: every course notebook in order, executed notebooks + HTML + report, failures reported and the run going on.</summary>
[Collection(NotebookRuns.Name)]
public sealed class CourseRunnerTests : IDisposable
{
    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Runs_course_notebooks_in_order_and_reports_each()
    {
        folder.Notebook("01-second.ipynb", Cell.Markdown("# Second\nfails *on purpose*"), Cell.Code("throw new InvalidOperationException(\"broken on purpose\");"));
        folder.Notebook("00-first.ipynb", Cell.Markdown("# First"), Cell.Code("Console.WriteLine(\"hello <course>\");"));
        folder.Notebook("02-third.ipynb", Cell.Markdown("# Third"), Cell.Code("display(HTML(\"<b>bold output</b>\"));"));
        folder.Notebook("scratch.ipynb", Cell.Code("throw new Exception(\"not a course notebook: never run\");"));
        var output = Path.Combine(folder.Path, "out");

        var started = new List<string>();
        var result = await CourseRunner.RunAsync(folder.Path, output, started.Add);

        Assert.Equal(["00-first.ipynb", "01-second.ipynb", "02-third.ipynb"], started);
        Assert.False(result.Succeeded);
        Assert.Equal([true, false, true], result.Notebooks.Select(n => n.Result.Succeeded));
        Assert.All(result.Notebooks, n => Assert.True(File.Exists(n.ExecutedPath) && File.Exists(n.HtmlPath)));

        var first = File.ReadAllText(result.Notebooks[0].HtmlPath);
        Assert.Contains("<h1 id=\"first\">First</h1>", first);      // markdown rendered
        Assert.Contains("hello &lt;course&gt;", first);                // stream output escaped
        Assert.Contains("<b>bold output</b>", File.ReadAllText(result.Notebooks[2].HtmlPath)); // HTML output kept as HTML
        Assert.Contains("broken on purpose", File.ReadAllText(result.Notebooks[1].HtmlPath));  // the error shown

        var report = File.ReadAllText(result.ReportPath);
        Assert.Contains("2 of 3 notebooks ran to the end", report);
        Assert.Contains("failed at cell 2: System.InvalidOperationException: broken on purpose", report);
        Assert.Contains("href=\"00-first.html\"", report);
    }

    [Fact]
    public async Task An_empty_folder_is_an_error()
    {
        await Assert.ThrowsAsync<NotebookFormatException>(() => CourseRunner.RunAsync(folder.Path, Path.Combine(folder.Path, "out")));
    }
}
