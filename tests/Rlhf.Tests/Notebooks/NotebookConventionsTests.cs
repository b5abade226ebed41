using Rlhf.Notebooks;

namespace Rlhf.Tests.Notebooks;

/// <summary>The conventions checker catches each broken rule (so a passing check on the course notebooks means something).</summary>
public sealed class NotebookConventionsTests : IDisposable
{
    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    static Cell Loading => Cell.Code(string.Join("\n", NotebookConventions.LibraryLoadingLines) + "\nusing Rlhf;\n\n" + NotebookConventions.PlotlyLine);
    static readonly Cell title = Cell.Markdown("# 07 · Good\n\n**What you will learn**: conventions.");
    static readonly Cell exercises = Cell.Markdown("## Exercises\n1. Try it.");
    static readonly Cell next = Cell.Markdown("Next: [08 · More](08-more.ipynb)");

    /// <summary>A notebook that keeps every convention, with <paramref name="middle"/> cells after the loading cell.</summary>
    string Good(string name, params Cell[] middle) =>
        folder.Notebook(name, [title, Cell.Markdown("Load."), Loading, .. middle, exercises, next]);

    [Fact]
    public void The_library_loading_lines_name_the_built_versions_and_the_debug_build()
    {
        Assert.Equal(
            [
                "#r \"nuget: TorchSharp-cpu, 0.107.0\"",
                "#r \"nuget: Microsoft.ML.Tokenizers, 2.0.1\"",
                "#r \"../lib/Rlhf/bin/Debug/net10.0/Rlhf.dll\"",
                "#r \"../lib/Rlhf.Interactive/bin/Debug/net10.0/Rlhf.Interactive.dll\"",
            ],
            NotebookConventions.LibraryLoadingLines);
    }

    [Fact]
    public void The_readme_documents_the_library_loading_lines_as_one_block()
    {
        var readme = File.ReadAllText(Repo.Path("README.md")).Replace("\r\n", "\n");
        Assert.Contains("```csharp\n" + string.Join("\n", NotebookConventions.LibraryLoadingLines) + "\n```", readme);
    }

    [Fact]
    public void A_notebook_that_keeps_the_conventions_has_no_problems()
    {
        var path = Good("07-good-one.ipynb", Cell.Markdown("Why."), Cell.Code("var x = 1;"));
        Assert.Empty(NotebookConventions.Check(path));
    }

    [Theory]
    [InlineData("7-short.ipynb", "NN-title.ipynb")]
    [InlineData("07-Capitals.ipynb", "NN-title.ipynb")]
    [InlineData("07_underscore.ipynb", "NN-title.ipynb")]
    public void A_bad_file_name_is_a_problem(string name, string expected)
    {
        var path = Good(name);
        Assert.Equal([$"{name}: the file name must be NN-title.ipynb (two digits, then lower-case words joined by '-')"], NotebookConventions.Check(path));
        Assert.Contains(expected, NotebookConventions.Check(path)[0]);
    }

    [Theory]
    [InlineData("namespace Course { class A { } }", "namespace Course")]
    [InlineData("namespace Course;\nclass A { }", "namespace Course")]
    [InlineData("static class Helpers\n{\n    public static int Twice(this int x) => 2 * x;\n}", "line 3: extension method Twice")]
    [InlineData("static class Helpers\n{\n    extension(int x) { public int Twice() => 2 * x; }\n}", "line 3: extension block")]
    [InlineData("var x = 1;\n#!fsharp\nlet y = 2", "line 2: magic command #!fsharp")]
    [InlineData("#r \"nuget: Newtonsoft.Json, 13.0.3\"", "line 1: #r \"nuget: Newtonsoft.Json, 13.0.3\"")]
    public void Code_that_does_not_belong_in_a_cell_is_a_problem(string code, string expected)
    {
        var path = Good("01-bad.ipynb", Cell.Markdown("Why."), Cell.Code(code));
        var problem = Assert.Single(NotebookConventions.Check(path));
        Assert.Contains("01-bad.ipynb: cell 5:", problem);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void A_code_cell_without_a_markdown_cell_before_it_is_a_problem()
    {
        var path = Good("01-bad.ipynb", Cell.Code("var y = 2;"));
        Assert.Equal(["01-bad.ipynb: cell 4: needs a markdown cell right before it, explaining why the code is there"], NotebookConventions.Check(path));
    }

    [Fact]
    public void A_long_cell_or_a_long_line_is_a_problem_but_the_loading_cell_may_be_long()
    {
        string Lines(int n) => string.Join("\n", Enumerable.Range(1, n).Select(i => $"var x{i} = {i};"));
        var fine = Good("01-fine.ipynb", Cell.Markdown("Why."), Cell.Code(Lines(NotebookConventions.MaxCodeLines) + "\n\n"),
            Cell.Markdown("Why."), Cell.Code("var s = \"" + new string('a', NotebookConventions.MaxLineLength - 11) + "\";"));
        Assert.Empty(NotebookConventions.Check(fine));
        var path = Good("01-bad.ipynb", Cell.Markdown("Why."), Cell.Code(Lines(NotebookConventions.MaxCodeLines + 1)),
            Cell.Markdown("Why."), Cell.Code("var y = 1;\nvar s = \"" + new string('a', NotebookConventions.MaxLineLength) + "\";"));
        Assert.Equal(
            [
                "01-bad.ipynb: cell 5: has 13 lines; at most 12 (one idea per cell: split it, or move code to lib/)",
                "01-bad.ipynb: cell 7: line 2 has 131 characters; at most 120 (the HTML pages cut it off)",
            ],
            NotebookConventions.Check(path));
    }

    [Fact]
    public void A_first_code_cell_that_loads_the_library_differently_is_a_problem()
    {
        var path = folder.Notebook("01-bad.ipynb", title, Cell.Code("#r \"../lib/Rlhf/bin/Release/net10.0/Rlhf.dll\""), exercises, next);
        var problems = NotebookConventions.Check(path);
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("01-bad.ipynb: cell 2: the first code cell must start with the library-loading lines"));
        Assert.Contains($"01-bad.ipynb: cell 2: the first code cell must end with {NotebookConventions.PlotlyLine} (plotly.js once for the notebook's charts)", problems);
        Assert.Contains(problems, p => p.StartsWith("01-bad.ipynb: cell 2: line 1: #r \"../lib/Rlhf/bin/Release/net10.0/Rlhf.dll\""));
    }

    [Fact]
    public void Saved_outputs_and_wrong_kernel_metadata_are_problems()
    {
        var path = Good("01-bad.ipynb");
        var text = File.ReadAllText(path)
            .Replace("\".net-csharp\"", "\"python3\"")
            .Replace("\"defaultKernelName\": \"csharp\"", "\"defaultKernelName\": \"fsharp\"")
            .Replace("\"language\": \"csharp\"", "\"language\": \"fsharp\"")
            .Replace("\"outputs\": []", "\"outputs\": [ { \"output_type\": \"stream\", \"name\": \"stdout\", \"text\": \"hi\" } ]");
        File.WriteAllText(path, text);

        var problems = NotebookConventions.Check(path);

        Assert.Equal(
            [
                "01-bad.ipynb: metadata.kernelspec.name must be \".net-csharp\"",
                "01-bad.ipynb: metadata.polyglot_notebook.kernelInfo.defaultKernelName must be \"csharp\"",
                "01-bad.ipynb: cell 3: metadata.dotnet_interactive.language must be \"csharp\"",
                "01-bad.ipynb: cell 3: has outputs or an execution count: save notebooks without outputs (clear all outputs first)",
            ],
            problems);
    }

    [Fact]
    public void A_first_cell_that_does_not_load_plotly_js_last_is_a_problem()
    {
        var loading = Cell.Code(string.Join("\n", NotebookConventions.LibraryLoadingLines) + "\n" + NotebookConventions.PlotlyLine + "\nusing Rlhf;");
        var path = folder.Notebook("07-late.ipynb", [title, Cell.Markdown("Load."), loading, exercises, next]);
        Assert.Equal([$"07-late.ipynb: cell 3: the first code cell must end with {NotebookConventions.PlotlyLine} (plotly.js once for the notebook's charts)"],
            NotebookConventions.Check(path));
    }

    [Fact]
    public void A_notebook_without_title_exercises_or_link_onward_has_those_problems()
    {
        var path = folder.Notebook("01-bare.ipynb", Cell.Markdown("Some text"), Loading, Cell.Markdown("The end."));

        Assert.Equal(
            [
                "01-bare.ipynb: the first cell must be a markdown title (# …) that says \"What you will learn\"",
                "01-bare.ipynb: needs a markdown \"## Exercises\" section",
                "01-bare.ipynb: the last cell must be markdown linking to the next (or previous) notebook, e.g. [Next: …](01-base-model.ipynb)",
            ],
            NotebookConventions.Check(path));
    }
}
