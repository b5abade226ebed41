using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Notebooks;

/// <summary>One notebook of a course run.</summary>
/// <param name="Name">File name, e.g. <c>02-sft.ipynb</c>.</param>
/// <param name="Result">What the runner returned (cells, failure, executed JSON).</param>
/// <param name="ExecutedPath">The executed notebook under the output folder.</param>
/// <param name="HtmlPath">The same notebook rendered as HTML.</param>
public sealed record CourseNotebook(string Name, NotebookRunResult Result, string ExecutedPath, string HtmlPath);

/// <summary>The outcome of <see cref="CourseRunner.RunAsync"/>.</summary>
/// <param name="Notebooks">Every notebook, in course order.</param>
/// <param name="ReportPath">The report page: notebooks, evaluation, frontier, training curves.</param>
/// <param name="ResultsPath">The <c>results.json</c> written beside it.</param>
/// <param name="Results">Its content (<see cref="CourseReport.Results"/> plus <c>claims</c>).</param>
/// <param name="Claims">Every claim the notebooks checked on their run (<see cref="CourseClaims"/>), read once from the outputs.</param>
public sealed record CourseResult(IReadOnlyList<CourseNotebook> Notebooks, string ReportPath, string ResultsPath, JsonObject Results,
    IReadOnlyList<NotebookClaim> Claims)
{
    /// <summary>True when every notebook ran to the end.</summary>
    public bool Succeeded => Notebooks.All(n => n.Result.Succeeded);
}

/// <summary>
/// The course's main job: executes every <c>NN-title.ipynb</c> of a folder in order with <see cref="NotebookRunner"/>,
/// writes each executed notebook and its HTML rendering to the output folder, <c>results.json</c> (notebook 06's
/// evaluation plus each notebook's time, <see cref="CourseReport.Results"/>) and a <c>report.html</c> with each notebook's
/// status and time, the evaluation table, the frontier and the training curves. Each notebook starts from shipped data
/// and checkpoints, so a failing notebook is reported and the run goes on to the next one.
/// </summary>
public static class CourseRunner
{
    /// <summary>The course notebooks of <paramref name="notebooksFolder"/> in order (names starting with two digits and a dash).</summary>
    public static IReadOnlyList<string> Notebooks(string notebooksFolder) =>
        Directory.GetFiles(notebooksFolder, "*.ipynb")
            .Where(p => Path.GetFileName(p) is var n && n.Length > 3 && char.IsAsciiDigit(n[0]) && char.IsAsciiDigit(n[1]) && n[2] == '-')
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Runs the course. <paramref name="notebookStarting"/> is told each notebook's name before it runs;
    /// <paramref name="cellOptions"/> carries per-cell progress callbacks (its output path is ignored);
    /// <paramref name="reportInputs"/> names the evaluation and training histories the report shows (default
    /// <see cref="CourseReportInputs.ForCourse"/> of the folder above <paramref name="notebooksFolder"/>).</summary>
    public static async Task<CourseResult> RunAsync(
        string notebooksFolder, string outputFolder, Action<string>? notebookStarting = null, NotebookRunOptions? cellOptions = null,
        CancellationToken cancellationToken = default, CourseReportInputs? reportInputs = null)
    {
        var started = DateTime.UtcNow.AddSeconds(-1); // file times may be rounded down
        reportInputs ??= CourseReportInputs.ForCourse(Path.GetFullPath(Path.Combine(notebooksFolder, "..")));
        var notebooks = Notebooks(notebooksFolder);
        if (notebooks.Count == 0) throw new NotebookFormatException($"{notebooksFolder}: no course notebooks (NN-title.ipynb)");
        Directory.CreateDirectory(outputFolder);
        var results = new List<CourseNotebook>();
        foreach (var notebook in notebooks)
        {
            var name = Path.GetFileName(notebook);
            notebookStarting?.Invoke(name);
            var executedPath = Path.Combine(outputFolder, name);
            var result = await NotebookRunner.RunAsync(notebook, (cellOptions ?? new NotebookRunOptions()) with { OutputPath = executedPath }, cancellationToken);
            var htmlPath = Path.ChangeExtension(executedPath, ".html");
            await File.WriteAllTextAsync(htmlPath, NotebookHtml.Render(result.ExecutedNotebook, name), cancellationToken);
            results.Add(new CourseNotebook(name, result, executedPath, htmlPath));
        }
        var summary = CourseReport.Results(reportInputs, results, started);
        var claims = CourseClaims.From(results);
        summary["claims"] = CourseClaims.ToJson(claims);
        var resultsPath = Path.Combine(outputFolder, "results.json");
        await File.WriteAllTextAsync(resultsPath, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        var reportPath = Path.Combine(outputFolder, "report.html");
        var sections = CourseClaims.Section(claims) + CourseReport.Sections(summary, reportInputs, started);
        await File.WriteAllTextAsync(reportPath, Report(results, sections), cancellationToken);
        return new CourseResult(results, reportPath, resultsPath, summary, claims);
    }

    static string Report(IReadOnlyList<CourseNotebook> notebooks, string sections)
    {
        var html = new StringBuilder("""
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>RlhfNotebooks course run</title>
            <style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto} td,th{border:1px solid #ddd;padding:.3rem .6rem} table{border-collapse:collapse}</style>
            </head><body><h1>RlhfNotebooks: course run</h1>
            """);
        html.Append("<p>").Append(notebooks.Count(n => n.Result.Succeeded)).Append(" of ").Append(notebooks.Count)
            .Append(" notebooks ran to the end, in ").Append($"{notebooks.Sum(n => n.Result.Duration.TotalSeconds):F0}").Append(" s of cell time.</p>");
        html.Append("<table><tr><th>notebook</th><th>status</th><th>code cells</th><th>time</th></tr>\n");
        foreach (var n in notebooks)
        {
            var status = n.Result.Failure is { } f ? $"failed at cell {f.CellNumber}: {f.ErrorType}: {f.Message}" : "ok";
            html.Append("<tr><td><a href=\"").Append(WebUtility.HtmlEncode(Path.GetFileName(n.HtmlPath))).Append("\">")
                .Append(WebUtility.HtmlEncode(n.Name)).Append("</a></td><td>").Append(WebUtility.HtmlEncode(status)).Append("</td><td>")
                .Append(n.Result.Cells.Count).Append("</td><td>").Append($"{n.Result.Duration.TotalSeconds:F1} s").Append("</td></tr>\n");
        }
        return html.Append("</table>\n<p><a href=\"results.json\">results.json</a></p>\n").Append(sections).Append("</body></html>\n").ToString();
    }
}
