using Rlhf.Notebooks;

namespace Rlhf.Tests.Notebooks;

/// <summary>Every notebook in notebooks/ keeps the conventions and runs, start to end, through the headless runner.</summary>
[Collection(NotebookRuns.Name)]
public sealed class CourseNotebookTests
{
    static IReadOnlyList<string> NotebookNames() =>
        [.. Directory.EnumerateFiles(Repo.Path("notebooks"), "*.ipynb").Select(p => Path.GetFileName(p)).Order()];

    public static TheoryData<string> Notebooks() => new(NotebookNames());

    [Fact]
    public void The_course_has_notebooks_and_starts_with_setup()
    {
        Assert.Contains("00-setup.ipynb", NotebookNames());
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_keeps_the_conventions(string name)
    {
        var problems = NotebookConventions.Check(Repo.Path("notebooks", name));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_runs_to_the_end_in_a_smoke_run(string name)
    {
        var path = Repo.Path("notebooks", name);
        var saved = Environment.GetEnvironmentVariable(CourseRun.SmokeVariable);
        Environment.SetEnvironmentVariable(CourseRun.SmokeVariable, "1");
        NotebookRunResult result;
        try
        {
            result = await NotebookRunner.RunAsync(path);
        }
        finally
        {
            Environment.SetEnvironmentVariable(CourseRun.SmokeVariable, saved);
        }

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        var notebook = Executed.Parse(result.ExecutedNotebook);
        var codeCells = notebook["cells"]!.AsArray().Count(c => (string?)c!["cell_type"] == "code");
        Assert.Equal(codeCells, result.Cells.Count);
        Assert.Contains(notebook["cells"]!.AsArray(), c => c!["outputs"] is System.Text.Json.Nodes.JsonArray { Count: > 0 });
        // Light: plotly.js once (the first cell's output), every figure a drawing and its plotly JSON (issue 37).
        var htmls = notebook["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? [])
            .Select(o => o!["data"]?["text/html"] is { } html ? Executed.Text(html) : "").ToList();
        Assert.Equal(1, htmls.Count(h => h.Contains(Rlhf.Plots.ChartHtml.PlotlyScriptElement, StringComparison.Ordinal)));
        Assert.Contains(Rlhf.Plots.ChartHtml.PlotlyScriptElement, Executed.Text(Executed.Outputs(notebook, 3).Last()["data"]!["text/html"]));
        int figures = notebook["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? [])
            .Count(o => o!["data"]?[Rlhf.Plots.NotebookFormatterSource.PlotlyMimeType] is System.Text.Json.Nodes.JsonObject);
        Assert.True(htmls.Sum(h => System.Text.RegularExpressions.Regex.Count(h, "class=\"rlhf-chart\"")) >= figures, "a figure without its drawing");
        Assert.True(result.ExecutedNotebook.Length < 1_500_000, $"{name} executed is {result.ExecutedNotebook.Length:N0} characters");
        // A claim the prose makes must hold on the run, unless it is asserted at full size only.
        var failing = CourseClaims.Failing(CourseClaims.FromNotebook(name, result.ExecutedNotebook).ToList());
        Assert.True(failing.Count == 0, string.Join("\n", failing.Select(c => $"{c.Claim}")));
    }
}
