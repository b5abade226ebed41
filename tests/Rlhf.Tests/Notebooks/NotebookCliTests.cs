namespace Rlhf.Tests.Notebooks;

/// <summary><c>rlhf notebook run</c>: progress, a failure summary and the exit code.</summary>
public sealed class NotebookCliTests : IDisposable
{
    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_failing_notebook_exits_non_zero_with_a_summary_naming_the_cell()
    {
        var path = folder.Notebook("fails.ipynb",
            Cell.Markdown("# Fails"),
            Cell.Code("Console.WriteLine(\"first cell ran\");"),
            Cell.Markdown("Divide by zero."),
            Cell.Code("int zero = 0;\nvar ratio = 1 / zero;"));
        var output = Path.Combine(folder.Path, "executed.ipynb");

        var (exitCode, text) = Repo.RunCli(null, "notebook", "run", path, "--out", output);

        Assert.Equal(1, exitCode);
        Assert.Contains("[1/2] cell 2: Console.WriteLine(\"first cell ran\"); ok", text);
        Assert.Contains("[2/2] cell 4: int zero = 0; FAILED", text);
        Assert.Contains($"{path}: cell 4 failed (exception): int zero = 0;", text);
        Assert.Contains("System.DivideByZeroException: Attempted to divide by zero.", text);
        Assert.Contains("first cell ran", File.ReadAllText(output));
    }

    [Fact]
    public void A_passing_notebook_exits_zero_and_writes_the_executed_notebook()
    {
        var path = folder.Notebook("passes.ipynb", Cell.Markdown("# Passes"), Cell.Code("Environment.GetEnvironmentVariable(\"RLHF_SMOKE\")"));
        var output = Path.Combine(folder.Path, "nested", "executed.ipynb");

        var (exitCode, text) = Repo.RunCli(null, "notebook", "run", path, "--out", output, "--smoke");

        Assert.True(exitCode == 0, text);
        Assert.Contains("All 1 code cells ran", text);
        var notebook = Executed.Parse(File.ReadAllText(output));
        Assert.Contains("1", Executed.Shown(Assert.Single(Executed.Outputs(notebook, 2))));
    }

    [Fact]
    public void A_missing_notebook_is_an_error_not_a_crash()
    {
        var (exitCode, text) = Repo.RunCli(null, "notebook", "run", Path.Combine(folder.Path, "missing.ipynb"));

        Assert.Equal(2, exitCode);
        Assert.Contains("missing.ipynb: no such notebook", text);
    }
}
