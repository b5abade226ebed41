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
        var claimHtml = new Rlhf.Evaluation.Claim("the run says so", false, "1 -> 0").ToHtml().Replace("\"", "\"\"");
        folder.Notebook("02-third.ipynb", Cell.Markdown("# Third"), Cell.Code("display(HTML(\"<b>bold output</b>\"));"),
            Cell.Code($"display(HTML(@\"{claimHtml}\"));"));
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

        // A claim shown by a notebook reaches the result, results.json and the report, read once from the outputs.
        Assert.Equal([new NotebookClaim("02-third", new Rlhf.Evaluation.Claim("the run says so", false, "1 -> 0"))], result.Claims);
        var written = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(result.ResultsPath))!["claims"]!.AsArray().Single()!;
        Assert.Equal(("02-third", "the run says so", false, "1 -> 0"),
            ((string)written["notebook"]!, (string)written["claim"]!, (bool)written["holds"]!, (string)written["figures"]!));
        Assert.Contains("1 do not", report);
    }

    [Fact]
    public async Task An_empty_folder_is_an_error()
    {
        await Assert.ThrowsAsync<NotebookFormatException>(() => CourseRunner.RunAsync(folder.Path, Path.Combine(folder.Path, "out")));
    }
}

/// <summary>The course's results.json and report: notebook 06's evaluation read back (never a stale one), times per notebook.</summary>
[Collection(NotebookRuns.Name)]
public sealed class CourseResultsTests : IDisposable
{
    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    const string Evaluation = """
        {"policies": {"sft": {"gold_mean": 0.25, "t1": {"gold_mean": 0.5}}, "ppo": {"gold_mean": 0.75, "t1": {"gold_mean": 1}}},
         "settings": {"greedy": "greedy", "t1": "T=1", "prompts": 7},
         "samples": [{"task": "fact", "prompt": "Which city is the capital of Greece?", "responses": {"sft": "Athens", "ppo": "Rome"}, "verdicts": {"sft": "Correct", "ppo": "Wrong"}}],
         "frontier": {"points": [{"method": "ppo", "label": "kl_coef=0.05", "setting": 0.05, "folder": "out/04-ppo", "kl": 1.5, "kl_se": 0.1, "gold_mean": 0.4, "gold_mean_se": 0.05, "rm_score": 0.3, "rm_score_se": 0.1, "prompts": 7}],
                      "missing": [], "sampling": "T=1"}}
        """;

    CourseReportInputs Inputs() => new(Path.Combine(folder.Path, "evaluation.json"),
        [new CourseHistory("training", Path.Combine(folder.Path, "history.json"), ["loss", "not/there"])]);

    [Fact]
    public async Task Results_hold_the_evaluation_written_during_the_run_and_each_notebook_time()
    {
        var evaluationPath = Path.Combine(folder.Path, "evaluation.json").Replace("\\", "\\\\");
        var historyPath = Path.Combine(folder.Path, "history.json").Replace("\\", "\\\\");
        folder.Notebook("00-train.ipynb", Cell.Markdown("# Train"),
            Cell.Code($"System.IO.File.WriteAllText(\"{historyPath}\", \"[{{\\\"step\\\": 1, \\\"values\\\": {{\\\"loss\\\": 2.5}}}}, {{\\\"step\\\": 2, \\\"values\\\": {{\\\"loss\\\": 1.5}}}}]\");"));
        folder.Notebook("01-evaluate.ipynb", Cell.Markdown("# Evaluate"),
            Cell.Code($"System.IO.File.WriteAllText(\"{evaluationPath}\", \"\"\"\n{Evaluation}\n\"\"\");"));

        var result = await CourseRunner.RunAsync(folder.Path, Path.Combine(folder.Path, "out"), reportInputs: Inputs());

        Assert.True(result.Succeeded, string.Join("\n", result.Notebooks.Select(n => n.Result.Failure?.Describe(n.Name))));
        var saved = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(result.ResultsPath))!.AsObject();
        Assert.Equal(0.75, saved["policies"]!["ppo"]!["gold_mean"]!.GetValue<double>());
        Assert.Equal(["00-train", "01-evaluate"], saved["notebook_seconds"]!.AsObject().Select(p => p.Key));
        Assert.All(saved["notebook_seconds"]!.AsObject(), p => Assert.True(p.Value!.GetValue<double>() >= 0));
        Assert.Contains("ppo", CourseReport.TableText(result.Results));

        var report = File.ReadAllText(result.ReportPath);
        Assert.Contains("<h2>Evaluation</h2>", report);
        Assert.Contains("gold_mean", report);
        Assert.Contains("Athens  [Correct]", report);
        Assert.Contains("Reward-KL frontier", report);
        static int Drawings(string page) => System.Text.RegularExpressions.Regex.Matches(page, @"Plotly\.newPlot\(").Count;
        var oneChart = Drawings(Rlhf.Plots.ChartHtml.ToSharedHtml([Rlhf.Plots.Charts.History("x", "x", [1.0, 2.0])])); // plotly.js + one drawing
        Assert.Equal(oneChart + 2, Drawings(report)); // one plotly.js; frontier, over-optimisation, training curve
        Assert.Contains("href=\"results.json\"", report);
    }

    [Fact]
    public void Notebook_08s_policies_join_the_results_when_written_by_this_run()
    {
        var evaluation = Path.Combine(folder.Path, "evaluation.json");
        var criticFree = Path.Combine(folder.Path, "critic-free.json");
        var since = DateTime.UtcNow.AddSeconds(-5);
        File.WriteAllText(evaluation, Evaluation);
        File.WriteAllText(criticFree, """
            {"policies": {"sft": {"gold_mean": 0.99}, "grpo": {"gold_mean": 0.6, "t1": {"gold_mean": 0.55}}}, "folders": {"grpo": "out/08-grpo"}}
            """);
        var inputs = Inputs() with { CriticFreeEvaluationFile = criticFree };

        var results = CourseReport.Results(inputs, [], since);
        Assert.Equal(0.6, results["policies"]!["grpo"]!["gold_mean"]!.GetValue<double>());
        Assert.Equal(0.25, results["policies"]!["sft"]!["gold_mean"]!.GetValue<double>()); // 06's own policies are not replaced
        Assert.Null(results["critic_free_missing"]);
        Assert.Contains("grpo", CourseReport.TableText(results));

        File.SetLastWriteTimeUtc(criticFree, DateTime.UtcNow.AddHours(-1));
        var stale = CourseReport.Results(inputs, [], since);
        Assert.Null(stale["policies"]!["grpo"]);
        Assert.Contains("older than this course run", (string?)stale["critic_free_missing"]);
    }

    [Fact]
    public async Task An_evaluation_older_than_the_run_is_not_reported()
    {
        var stale = Path.Combine(folder.Path, "evaluation.json");
        File.WriteAllText(stale, Evaluation);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));
        folder.Notebook("00-nothing.ipynb", Cell.Markdown("# Nothing"), Cell.Code("Console.WriteLine(1);"));

        var result = await CourseRunner.RunAsync(folder.Path, Path.Combine(folder.Path, "out"), reportInputs: Inputs());

        Assert.Null(result.Results["policies"]);
        Assert.Contains("older than this course run", (string?)result.Results["evaluation_missing"]);
        Assert.Contains("No evaluation table", CourseReport.TableText(result.Results));
        Assert.Contains("older than this course run", File.ReadAllText(result.ReportPath));
    }
}
