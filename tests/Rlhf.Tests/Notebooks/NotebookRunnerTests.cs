using System.Text.Json.Nodes;
using System.Globalization;
using Rlhf.Notebooks;

namespace Rlhf.Tests.Notebooks;

/// <summary>The runner executes notebooks in the stock .NET Interactive kernel and reports failures precisely.</summary>
[Collection(NotebookRuns.Name)]
public sealed class NotebookRunnerTests : IDisposable
{
    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task A_failing_cell_stops_the_run_and_is_reported_with_its_number_first_line_and_exception()
    {
        var path = folder.Notebook("failing.ipynb",
            Cell.Markdown("# A notebook that fails"),
            Cell.Code("var ready = true;"),
            Cell.Markdown("This cell throws."),
            Cell.Code("var limit = 3;\nthrow new InvalidOperationException($\"limit {limit} reached\");"),
            Cell.Markdown("Never reached."),
            Cell.Code("Console.WriteLine(\"after\");"));
        var outputPath = Path.Combine(folder.Path, "failing.executed.ipynb");

        var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions { OutputPath = outputPath });

        Assert.False(result.Succeeded);
        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal(4, failure.CellNumber); // counting the markdown cells, as an editor shows it
        Assert.Equal("var limit = 3;", failure.FirstLine);
        Assert.Equal(CellFailureKind.Exception, failure.Kind);
        Assert.Equal("System.InvalidOperationException", failure.ErrorType);
        Assert.Equal("limit 3 reached", failure.Message);
        Assert.Contains(failure.Details, line => line.StartsWith("at Submission#", StringComparison.Ordinal));
        var report = failure.Describe(path);
        Assert.Contains($"{path}: cell 4 failed (exception): var limit = 3;", report);
        Assert.Contains("System.InvalidOperationException: limit 3 reached", report);

        Assert.Equal([2, 4], result.Cells.Select(c => c.CellNumber));
        Assert.True(result.Cells[0].Succeeded);
        var notebook = Executed.Parse(File.ReadAllText(outputPath)); // written although the run failed
        var error = Assert.Single(Executed.Outputs(notebook, 4));
        Assert.Equal("error", (string?)error["output_type"]);
        Assert.Equal("System.InvalidOperationException", (string?)error["ename"]);
        Assert.Equal("limit 3 reached", (string?)error["evalue"]);
        Assert.NotEmpty(error["traceback"]!.AsArray());
        Assert.Equal(2, (int?)Executed.Cell(notebook, 4)["execution_count"]);
        Assert.Null(Executed.Cell(notebook, 6)["execution_count"]); // not run
        Assert.Empty(Executed.Outputs(notebook, 6));
    }

    [Fact]
    public async Task A_compile_error_is_reported_as_a_compile_error_with_the_compilers_diagnostics()
    {
        var path = folder.Notebook("broken.ipynb",
            Cell.Markdown("# Broken"),
            Cell.Code("var total = 1;\nvar doubled = totl * 2;"));

        var result = await NotebookRunner.RunAsync(path);

        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal(CellFailureKind.CompileError, failure.Kind);
        Assert.Equal(2, failure.CellNumber);
        Assert.Equal("var total = 1;", failure.FirstLine);
        Assert.Equal("CompilationError", failure.ErrorType);
        var diagnostic = Assert.Single(failure.Details);
        Assert.StartsWith("(2,15): error CS0103:", diagnostic); // cell-relative line and column, from the kernel's compiler
        Assert.Contains("'totl'", diagnostic);
        Assert.Contains("(compile error)", failure.Describe(path));
        var error = Assert.Single(Executed.Outputs(Executed.Parse(result.ExecutedNotebook), 2));
        Assert.Equal("CompilationError", (string?)error["ename"]);
        Assert.Equal(diagnostic, (string?)error["traceback"]![0]);
    }

    [Fact]
    public async Task Compile_errors_after_directive_lines_name_the_cells_own_line()
    {
        var path = folder.Notebook("directives.ipynb",
            Cell.Markdown("# Directives first"),
            Cell.Code("#!csharp\nusing System.Text;\nvar total = 1;\nvar doubled = totl * 2;"));

        var result = await NotebookRunner.RunAsync(path);

        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal(CellFailureKind.CompileError, failure.Kind);
        Assert.StartsWith("(4,15): error CS0103:", Assert.Single(failure.Details)); // line 4 of the cell, counting the #!csharp line
    }

    [Fact]
    public async Task The_kernel_keeps_state_runs_in_the_notebooks_folder_and_reports_streams_displays_and_values()
    {
        File.WriteAllText(Path.Combine(folder.Path, "data.txt"), "next to the notebook");
        var path = folder.Notebook("kernel.ipynb",
            Cell.Markdown("# The kernel"),
            Cell.Code("""
                using System.Text.RegularExpressions;
                record Point(int X, int Y);
                var counter = 41;
                Console.WriteLine("one");
                Console.Error.WriteLine("warning");
                display(HTML("<b>bold</b>"));
                await Task.Delay(5);
                Console.WriteLine(await Task.Run(() => "from another thread"));
                """),
            Cell.Markdown("Use what the previous cell defined; a trailing expression is the cell's value."),
            Cell.Code("""
                counter++;
                (counter, new Point(1, 2), Regex.IsMatch("x1", @"\d"), System.IO.File.ReadAllText("data.txt"),
                 Environment.GetEnvironmentVariable("RLHF_TEST_VARIABLE"))
                """));

        var result = await NotebookRunner.RunAsync(path,
            new NotebookRunOptions { Environment = new Dictionary<string, string> { ["RLHF_TEST_VARIABLE"] = "passed on" } });

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        var notebook = Executed.Parse(result.ExecutedNotebook);
        var outputs = Executed.Outputs(notebook, 2);
        Assert.Equal(["stream", "stream", "display_data", "stream"], outputs.Select(o => (string?)o["output_type"]));
        Assert.Equal(["stdout", "stderr", null, "stdout"], outputs.Select(o => (string?)o["name"]));
        Assert.Equal("one\n", Executed.Text(outputs[0]["text"]));
        Assert.Equal("warning\n", Executed.Text(outputs[1]["text"]));
        Assert.Equal("<b>bold</b>", Executed.Text(outputs[2]["data"]!["text/html"]));
        Assert.Equal("from another thread\n", Executed.Text(outputs[3]["text"]));
        var value = Assert.Single(Executed.Outputs(notebook, 4));
        Assert.Equal("execute_result", (string?)value["output_type"]);
        Assert.Equal(2, (int?)value["execution_count"]);
        var text = Executed.Text(value["data"]!["text/html"] ?? value["data"]!["text/plain"]);
        foreach (var expected in new[] { "42", "Point { X = 1, Y = 2 }", "True", "next to the notebook", "passed on" })
            Assert.Contains(expected, text);
    }

    [Fact]
    public async Task A_live_display_is_replaced_in_place_and_ends_showing_its_last_value()
    {
        var path = folder.Notebook("live.ipynb",
            Cell.Markdown("# Live"),
            Cell.LoadLibrary(),
            Cell.Markdown("A live display updated three times, then the kernel's own display handle."),
            Cell.Code("""
                var live = LiveDisplay.Show("step 0 of 3");
                for (int step = 1; step <= 3; step++) live.Update($"step {step} of 3");
                Console.WriteLine("after");
                """));

        var result = await NotebookRunner.RunAsync(path);

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        var outputs = Executed.Outputs(Executed.Parse(result.ExecutedNotebook), 4);
        Assert.Equal(["display_data", "stream"], outputs.Select(o => (string?)o["output_type"]));
        var shown = outputs[0]["data"]!.AsObject();
        Assert.Contains("step 3 of 3", Executed.Text(shown["text/html"] ?? shown["text/plain"]));
        Assert.DoesNotContain("step 2 of 3", Executed.Text(shown["text/html"] ?? shown["text/plain"]));
    }

    [Fact]
    public async Task The_librarys_tables_and_charts_show_as_html_in_the_kernel_not_as_property_trees()
    {
        var path = folder.Notebook("rich.ipynb",
            Cell.Markdown("# Rich display"),
            Cell.LoadLibrary(),
            Cell.Markdown("A table and a chart from the library, displayed and returned."),
            Cell.Code("""
                using Rlhf.Plots;
                display(HtmlTable.FromPairs("metrics", new Dictionary<string, object> { ["loss"] = 0.5 }));
                display(Charts.Line("first", "x", "y", new double[] { 1, 2 }, new double[] { 3, 4 }, "y = x + 2"));
                Charts.Line("line", "x", "y", new double[] { 1, 2 }, new double[] { 3, 4 }, "y = x + 2")
                """));

        var result = await NotebookRunner.RunAsync(path);

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        var outputs = Executed.Outputs(Executed.Parse(result.ExecutedNotebook), 4);
        Assert.Equal(["display_data", "display_data", "execute_result"], outputs.Select(o => (string?)o["output_type"]));
        var table = Executed.Text(outputs[0]["data"]!["text/html"]);
        Assert.Contains("<table", table);
        Assert.Contains("metrics", table);
        // This notebook's first cell did not load plotly.js, so the session's first chart carries it; the next one does not.
        var first = Executed.Text(outputs[1]["data"]!["text/html"]);
        Assert.Contains(ChartHtmlScript, first);   // plotly.js inline: draws offline
        var chart = Executed.Text(outputs[2]["data"]!["text/html"]);
        Assert.DoesNotContain(ChartHtmlScript, chart);
        Assert.True(chart.Length < 5_000, $"the second chart should carry only its figure, not {chart.Length} characters");
        foreach (var output in outputs.Skip(1))
        {
            Assert.Contains("Plotly.newPlot", Executed.Text(output["data"]!["text/html"]));
            Assert.DoesNotContain("<script src=", Executed.Text(output["data"]!["text/html"]));
            // The figure itself, for front ends that draw plotly's MIME type natively.
            var figure = output["data"]![Rlhf.Plots.NotebookFormatterSource.PlotlyMimeType];
            Assert.NotNull(figure);
            Assert.Equal("y = x + 2", figure!["data"]![0]!["name"]!.GetValue<string>());
        }
        Assert.All(outputs, o => Assert.DoesNotContain("dni-treeview", Executed.Text(o["data"]!["text/html"])));
    }

    static string ChartHtmlScript => Rlhf.Plots.ChartHtml.PlotlyScriptElement;

    [Fact]
    public async Task A_cell_past_the_time_limit_is_stopped_and_what_ran_before_is_kept()
    {
        var path = folder.Notebook("hang.ipynb",
            Cell.Markdown("# Hang"),
            Cell.Code("Console.WriteLine(\"before\");"),
            Cell.Markdown("Never ends."),
            Cell.Code("while (true) { }"));
        var outputPath = Path.Combine(folder.Path, "hang.executed.ipynb");

        var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions { OutputPath = outputPath, CellTimeout = TimeSpan.FromSeconds(20) }); // room for the first cell's compile on a busy machine

        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal(CellFailureKind.Timeout, failure.Kind);
        Assert.Equal(4, failure.CellNumber);
        Assert.Contains("longer than 20 s", failure.Message);
        var notebook = Executed.Parse(File.ReadAllText(outputPath));
        Assert.Equal("before\n", Executed.Text(Assert.Single(Executed.Outputs(notebook, 2))["text"]));
        Assert.Equal("CellTimeout", (string?)Assert.Single(Executed.Outputs(notebook, 4))["ename"]);
    }

    [Fact]
    public async Task A_kernel_that_exits_fails_the_cell_with_its_exit_code()
    {
        var path = folder.Notebook("exit.ipynb",
            Cell.Markdown("# Exit"),
            Cell.Code("Console.WriteLine(\"before\");"),
            Cell.Markdown("Ends the kernel process."),
            Cell.Code("Environment.Exit(7);"),
            Cell.Markdown("Never reached."),
            Cell.Code("1"));

        var result = await NotebookRunner.RunAsync(path);

        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal(CellFailureKind.KernelExited, failure.Kind);
        Assert.Equal(4, failure.CellNumber);
        Assert.Contains("exited with code 7", failure.Message);
        Assert.Equal([2, 4], result.Cells.Select(c => c.CellNumber));
    }

    [Fact]
    public async Task The_executed_notebook_is_valid_nbformat_with_timings_and_untouched_markdown()
    {
        var markdown = "# Title\n\nSome *text* with <html> & \"quotes\".";
        var path = folder.Notebook("timings.ipynb",
            Cell.Markdown(markdown),
            Cell.Code("Console.WriteLine(\"a\");\n1 + 1"),
            Cell.Markdown("Second."),
            Cell.Code("display(\"b\");"));
        var outputPath = Path.Combine(folder.Path, "out", "timings.executed.ipynb");
        var input = Executed.Parse(File.ReadAllText(path));
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);

        var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions { OutputPath = outputPath });

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        Assert.Equal(outputPath, result.OutputPath);
        Assert.Equal(result.ExecutedNotebook, File.ReadAllText(outputPath));
        var notebook = Executed.Parse(File.ReadAllText(outputPath));
        Assert.Equal(4, (int?)notebook["nbformat"]);
        Assert.True(JsonNode.DeepEquals(input["metadata"], notebook["metadata"]));
        Assert.True(JsonNode.DeepEquals(input["cells"]![0], notebook["cells"]![0]));
        Assert.True(JsonNode.DeepEquals(input["cells"]![2], notebook["cells"]![2]));
        Assert.Equal(markdown, Executed.Text(Executed.Cell(notebook, 1)["source"]));

        foreach (var (number, count) in new[] { (2, 1), (4, 2) })
        {
            var cell = Executed.Cell(notebook, number);
            Assert.Equal(count, (int?)cell["execution_count"]);
            var execution = cell["metadata"]!["execution"]!;
            var start = DateTimeOffset.Parse((string)execution["iopub.status.busy"]!, CultureInfo.InvariantCulture);
            var end = DateTimeOffset.Parse((string)execution["shell.execute_reply"]!, CultureInfo.InvariantCulture);
            Assert.EndsWith("Z", (string?)execution["iopub.execute_input"]);
            Assert.InRange(start, started, end);
            Assert.InRange(end, start, DateTimeOffset.UtcNow);
            Assert.InRange(((end - start) - result.Cells.Single(c => c.CellNumber == number).Duration).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
            foreach (var output in Executed.Outputs(notebook, number))
            {
                switch ((string?)output["output_type"])
                {
                    case "stream":
                        Assert.Contains((string?)output["name"], new[] { "stdout", "stderr" });
                        Executed.Text(output["text"]);
                        break;
                    case "display_data":
                        Assert.NotNull(output["metadata"]);
                        Assert.NotEmpty(output["data"]!.AsObject());
                        break;
                    case "execute_result":
                        Assert.Equal(count, (int?)output["execution_count"]);
                        Assert.NotNull(output["metadata"]);
                        Assert.Equal("<div class=\"dni-plaintext\"><pre>2</pre></div>", Executed.Text(output["data"]!["text/html"]).Split("<style>")[0]);
                        break;
                    default:
                        Assert.Fail($"unexpected output {output}");
                        break;
                }
            }
        }
    }

    [Fact]
    public async Task Outputs_already_in_the_notebook_are_replaced_and_the_notebook_itself_is_never_overwritten()
    {
        var path = folder.Notebook("stale.ipynb", Cell.Markdown("# Stale"), Cell.Code("\"fresh\""), Cell.Markdown("x"), Cell.Code("throw new Exception(\"stop\");"), Cell.Markdown("y"), Cell.Code("1"));
        var stale = Executed.Parse(File.ReadAllText(path));
        foreach (var number in new[] { 2, 6 })
        {
            Executed.Cell(stale, number)["outputs"] = new JsonArray(new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = "stale" });
            Executed.Cell(stale, number)["execution_count"] = 9;
        }
        File.WriteAllText(path, stale.ToJsonString());

        await Assert.ThrowsAsync<ArgumentException>(() => NotebookRunner.RunAsync(path, new NotebookRunOptions { OutputPath = path }));
        var result = await NotebookRunner.RunAsync(path);

        var notebook = Executed.Parse(result.ExecutedNotebook);
        Assert.Contains("fresh", Executed.Shown(Assert.Single(Executed.Outputs(notebook, 2))));
        Assert.Empty(Executed.Outputs(notebook, 6)); // after the failure: cleared, not stale
        Assert.Null(Executed.Cell(notebook, 6)["execution_count"]);
        Assert.Equal(stale.ToJsonString(), File.ReadAllText(path));
    }

    [Fact]
    public async Task Progress_callbacks_report_each_code_cell()
    {
        var path = folder.Notebook("progress.ipynb", Cell.Markdown("# P"), Cell.Code("var a = 1;"), Cell.Markdown("q"), Cell.Code("var b = a + 1;"));
        var events = new List<string>();

        var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions
        {
            CellStarting = s => events.Add($"start {s.CellNumber} {s.CodeCellIndex}/{s.CodeCellCount} {s.FirstLine}"),
            CellFinished = r => events.Add($"end {r.CellNumber} #{r.ExecutionCount} {r.Succeeded}"),
        });

        Assert.True(result.Succeeded);
        Assert.Equal(["start 2 1/2 var a = 1;", "end 2 #1 True", "start 4 2/2 var b = a + 1;", "end 4 #2 True"], events);
    }

    [Fact]
    public async Task A_file_that_is_not_a_notebook_is_rejected_naming_the_file()
    {
        var path = Path.Combine(folder.Path, "bad.ipynb");
        File.WriteAllText(path, "{ \"nbformat\": 3, \"cells\": [] }");

        var error = await Assert.ThrowsAsync<NotebookFormatException>(() => NotebookRunner.RunAsync(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("'nbformat' must be 4", error.Message);
    }
}
