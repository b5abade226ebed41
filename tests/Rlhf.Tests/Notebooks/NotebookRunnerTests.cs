using System.Text.Json.Nodes;
using System.Globalization;
using Rlhf.Notebooks;

namespace Rlhf.Tests.Notebooks;

/// <summary>The headless runner behaves like the C# kernel and reports failures precisely.</summary>
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

        var result = await NotebookRunner.RunAsync(path);

        Assert.False(result.Succeeded);
        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal(4, failure.CellNumber); // counting the markdown cells, as an editor shows it
        Assert.Equal("var limit = 3;", failure.FirstLine);
        Assert.Equal(CellFailureKind.Exception, failure.Kind);
        Assert.Equal("System.InvalidOperationException", failure.ErrorType);
        Assert.Equal("limit 3 reached", failure.Message);
        Assert.IsType<InvalidOperationException>(failure.Exception);
        Assert.Contains(failure.Details, line => line.Contains("failing.ipynb cell 4:line 2"));
        var report = failure.Describe(path);
        Assert.Contains($"{path}: cell 4 failed (exception): var limit = 3;", report);
        Assert.Contains("System.InvalidOperationException: limit 3 reached", report);

        Assert.Equal([2, 4], result.Cells.Select(c => c.CellNumber));
        Assert.True(result.Cells[0].Succeeded);
        var notebook = Executed.Parse(result.ExecutedNotebook);
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
        Assert.StartsWith("(2,15): error CS0103:", diagnostic); // cell-relative line and column
        Assert.Contains("'totl'", diagnostic);
        Assert.Contains("(compile error)", failure.Describe(path));
        var error = Assert.Single(Executed.Outputs(Executed.Parse(result.ExecutedNotebook), 2));
        Assert.Equal("CompilationError", (string?)error["ename"]);
        Assert.Equal(diagnostic, (string?)error["traceback"]![0]);
    }

    [Fact]
    public async Task Display_shows_a_value_and_Update_replaces_it_in_place()
    {
        var path = folder.Notebook("display.ipynb",
            Cell.Markdown("# Display"),
            Cell.Code("""
                Console.WriteLine("before");
                var progress = display("step 0 of 3");
                for (int step = 1; step <= 3; step++) progress.Update($"step {step} of 3");
                Console.WriteLine("after");
                var html = display(HTML("<b>bold</b>"));
                """),
            Cell.Markdown("A trailing expression is the cell's result."),
            Cell.Code("progress.DisplayId.StartsWith(\"display-\")"));

        var result = await NotebookRunner.RunAsync(path);

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        var notebook = Executed.Parse(result.ExecutedNotebook);
        var outputs = Executed.Outputs(notebook, 2);
        Assert.Equal(["stream", "display_data", "stream", "display_data"], outputs.Select(o => (string?)o["output_type"]));
        Assert.Equal("before\n", Executed.Text(outputs[0]["text"]));
        Assert.Equal("step 3 of 3", Executed.Text(outputs[1]["data"]!["text/plain"]));
        Assert.Equal("after\n", Executed.Text(outputs[2]["text"]));
        Assert.Equal("<b>bold</b>", Executed.Text(outputs[3]["data"]!["text/html"]));
        Assert.Null(outputs[3]["data"]!["text/plain"]);
        var result4 = Assert.Single(Executed.Outputs(notebook, 4));
        Assert.Equal("execute_result", (string?)result4["output_type"]);
        Assert.Equal(2, (int?)result4["execution_count"]);
        Assert.Equal("true", Executed.Text(result4["data"]!["text/plain"]));
    }

    [Fact]
    public async Task Html_displays_and_charts_become_text_html_and_plain_values_text_plain()
    {
        var path = folder.Notebook("rich.ipynb",
            Cell.Markdown("# Rich display"),
            Cell.LoadLibrary(),
            Cell.Markdown("An object that renders itself as HTML, a chart, and plain values."),
            Cell.Code("""
                record Table(string Title) : Rlhf.Plots.IHtmlDisplay
                {
                    public string ToHtml() => $"<table><caption>{Title}</caption></table>";
                }
                display(new Table("metrics"));
                display(Rlhf.Plots.Charts.Line("line", "x", "y", new double[] { 1, 2 }, new double[] { 3, 4 }, "y = x + 2"));
                display(new List<int> { 1, 2, 3 });
                new Dictionary<string, double> { ["loss"] = 0.5 }
                """));

        var result = await NotebookRunner.RunAsync(path);

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        var outputs = Executed.Outputs(Executed.Parse(result.ExecutedNotebook), 4);
        Assert.Equal(4, outputs.Count);
        Assert.Equal("<table><caption>metrics</caption></table>", Executed.Text(outputs[0]["data"]!["text/html"]));
        Assert.Equal("Table { Title = metrics }", Executed.Text(outputs[0]["data"]!["text/plain"]));
        Assert.Contains("Plotly.newPlot", Executed.Text(outputs[1]["data"]!["text/html"]));
        Assert.Equal("[ 1, 2, 3 ]", Executed.Text(outputs[2]["data"]!["text/plain"]));
        Assert.Equal("execute_result", (string?)outputs[3]["output_type"]);
        Assert.Equal("{ \"loss\": 0.5 }", Executed.Text(outputs[3]["data"]!["text/plain"]));
    }

    [Fact]
    public async Task State_types_and_usings_carry_across_cells_with_the_kernels_default_imports()
    {
        var path = folder.Notebook("state.ipynb",
            Cell.Markdown("# State"),
            Cell.Code("using System.Text.RegularExpressions;\nrecord Point(int X, int Y);\nvar counter = 41;\nvar words = new List<string> { \"a\", \"bb\" };"),
            Cell.Markdown("Use what the previous cell defined."),
            Cell.Code("counter++;\nvar builder = new StringBuilder().Append(words.Select(w => w.Length).Sum());\n" +
                      "(counter, new Point(1, 2), builder.ToString(), Regex.IsMatch(\"x1\", @\"\\d\"))"));

        var result = await NotebookRunner.RunAsync(path);

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        var output = Assert.Single(Executed.Outputs(Executed.Parse(result.ExecutedNotebook), 4));
        Assert.Equal("(42, Point { X = 1, Y = 2 }, 3, True)", Executed.Text(output["data"]!["text/plain"]));
    }

    [Fact]
    public async Task Top_level_await_works()
    {
        var path = folder.Notebook("await.ipynb",
            Cell.Markdown("# Await"),
            Cell.Code("await Task.Delay(5);\nvar answer = await Task.Run(() => 6 * 7);\nConsole.WriteLine($\"from another thread: {answer}\");\nanswer"));

        var result = await NotebookRunner.RunAsync(path);

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        var outputs = Executed.Outputs(Executed.Parse(result.ExecutedNotebook), 2);
        Assert.Equal("from another thread: 42\n", Executed.Text(outputs[0]["text"]));
        Assert.Equal("42", Executed.Text(outputs[1]["data"]!["text/plain"]));
    }

    [Fact]
    public async Task Cells_run_in_the_notebooks_folder_and_the_working_directory_is_restored()
    {
        File.WriteAllText(Path.Combine(folder.Path, "data.txt"), "next to the notebook");
        var path = folder.Notebook("cwd.ipynb",
            Cell.Markdown("# Working directory"),
            Cell.Code("(Environment.CurrentDirectory, System.IO.File.ReadAllText(\"data.txt\"))")); // System.IO is not a default import
        var before = Environment.CurrentDirectory;

        var result = await NotebookRunner.RunAsync(path);

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        var output = Assert.Single(Executed.Outputs(Executed.Parse(result.ExecutedNotebook), 2));
        Assert.Equal($"({folder.Path}, next to the notebook)", Executed.Text(output["data"]!["text/plain"]));
        Assert.Equal(before, Environment.CurrentDirectory);
    }

    [Fact]
    public async Task Console_output_is_captured_per_stream_and_the_console_is_restored()
    {
        var path = folder.Notebook("console.ipynb",
            Cell.Markdown("# Console"),
            Cell.Code("Console.WriteLine(\"one\");\nConsole.Write(\"two\");\nConsole.Error.WriteLine(\"warning\");\nConsole.WriteLine(\"three\");"));
        var (outBefore, errorBefore) = (Console.Out, Console.Error);

        var result = await NotebookRunner.RunAsync(path);

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        var outputs = Executed.Outputs(Executed.Parse(result.ExecutedNotebook), 2);
        Assert.Equal(["stdout", "stderr", "stdout"], outputs.Select(o => (string?)o["name"]));
        Assert.Equal(["one\ntwo", "warning\n", "three\n"], outputs.Select(o => Executed.Text(o["text"])));
        Assert.Same(outBefore, Console.Out);
        Assert.Same(errorBefore, Console.Error);
    }

    [Theory]
    [InlineData("#r \"nuget: Newtonsoft.Json, 13.0.3\"", "does not provide the package 'Newtonsoft.Json'")]
    [InlineData("#r \"nuget: TorchSharp-cpu, 0.106.0\"", "not compatible with the requested version 0.106.0")]
    [InlineData("#r \"nuget: Microsoft.ML.Tokenizers, 3.0.0\"", "not compatible with the requested version 3.0.0")]
    [InlineData("#r \"/usr/lib/other/Other.dll\"", "loads only the course library")]
    [InlineData("#r \"../lib/Rlhf/bin/Debug/net10.0/Rlhf.dll\"", "does not exist; build the library first")]
    [InlineData("#i \"nuget: https://example.org/feed\"", "never downloads packages")]
    [InlineData("#!fsharp", "magic command '#!fsharp' is not supported")]
    [InlineData("#r \"nuget: Plotly.NET, 6.0.0\"", "does not provide the package 'Plotly.NET'")]
    [InlineData("#load \"helpers.csx\"", "#load is not supported")]
    public async Task A_directive_the_runner_cannot_honour_fails_the_cell_naming_it(string directive, string reason)
    {
        var path = folder.Notebook("directive.ipynb",
            Cell.Markdown("# Directive"),
            Cell.Code("Console.WriteLine(\"fine\");"),
            Cell.Markdown("This cell asks for something the runner cannot give."),
            Cell.Code($"var x = 1;\n{directive}\nConsole.WriteLine(x);"));

        var result = await NotebookRunner.RunAsync(path);

        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal(CellFailureKind.Directive, failure.Kind);
        Assert.Equal(4, failure.CellNumber);
        Assert.Contains($"line 2: {directive}:", failure.Message);
        Assert.Contains(reason, failure.Message);
        var error = Assert.Single(Executed.Outputs(Executed.Parse(result.ExecutedNotebook), 4));
        Assert.Contains(directive, (string?)error["evalue"]);
    }

    [Fact]
    public async Task Provided_packages_and_the_library_dll_are_satisfied_and_csharp_magic_is_accepted()
    {
        var path = folder.Notebook("load.ipynb",
            Cell.Markdown("# Load"),
            Cell.Code("#!csharp\n" + Cell.LoadLibrary().Source + "\n#r \"nuget: Microsoft.ML.Tokenizers\""),
            Cell.Markdown("The library's types are the runner's own."),
            Cell.Code("#!csharp\n(typeof(Rlhf.Torch.TorchRuntime).Assembly.GetName().Name, typeof(TorchSharp.torch).Assembly.GetName().Name)"));

        var result = await NotebookRunner.RunAsync(path);

        Assert.True(result.Succeeded, result.Failure?.Describe(path));
        var output = Assert.Single(Executed.Outputs(Executed.Parse(result.ExecutedNotebook), 4));
        Assert.Equal("(Rlhf, TorchSharp)", Executed.Text(output["data"]!["text/plain"]));
    }

    [Fact]
    public async Task Without_the_loading_cell_the_library_is_not_available()
    {
        var path = folder.Notebook("unloaded.ipynb",
            Cell.Markdown("# No #r"),
            Cell.Code("var device = Rlhf.Torch.TorchRuntime.Device;"));

        var result = await NotebookRunner.RunAsync(path);

        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal(CellFailureKind.CompileError, failure.Kind);
        Assert.Contains(failure.Details, d => d.Contains("'Rlhf'"));
    }

    [Fact]
    public async Task A_cell_for_another_kernel_is_refused()
    {
        var path = folder.Notebook("fsharp.ipynb", Cell.Markdown("# F#"), Cell.Code("printfn \"hi\""));
        var text = File.ReadAllText(path).Replace("\"kernelName\": \"csharp\"", "\"kernelName\": \"fsharp\"");
        File.WriteAllText(path, text);

        var result = await NotebookRunner.RunAsync(path);

        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal(CellFailureKind.NotCSharp, failure.Kind);
        Assert.Contains("'fsharp'", failure.Message);
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
                        Assert.Equal("2", Executed.Text(output["data"]!["text/plain"]));
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
        Assert.Equal("fresh", Executed.Text(Assert.Single(Executed.Outputs(notebook, 2))["data"]!["text/plain"]));
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
