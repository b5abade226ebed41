using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Evaluation;
using Rlhf.Plots;
using Rlhf.Training;

namespace Rlhf.Notebooks;

/// <summary>A training history the course report draws: its title, its <c>history.json</c> and the metrics to plot.</summary>
/// <param name="Title">Chart title, e.g. <c>04 · PPO</c>.</param>
/// <param name="HistoryFile">The <c>history.json</c> a training run wrote (<see cref="MetricsHistory.Save"/>).</param>
/// <param name="Metrics">The metric names to draw (those absent from the file are skipped).</param>
public sealed record CourseHistory(string Title, string HistoryFile, IReadOnlyList<string> Metrics);

/// <summary>
/// What the course report adds to the list of notebooks: the evaluation notebook 06 wrote (table, frontier) and the
/// training curves of the stages. Files older than the course run are ignored (a failed notebook must not leave last
/// week's numbers in this week's report).
/// </summary>
/// <param name="EvaluationFile">The JSON of <see cref="PolicySetEvaluation.ToJson"/> (plus <c>frontier</c>), as notebook 06 writes it.</param>
/// <param name="Histories">Training histories to draw, in order.</param>
/// <param name="CriticFreeEvaluationFile">Notebook 08's evaluation (GRPO and RLOO against SFT and base on the same prompts,
/// the same JSON shape): its policies join <c>results.json</c>'s when it was written by this run; null: none.</param>
public sealed record CourseReportInputs(string EvaluationFile, IReadOnlyList<CourseHistory> Histories, string? CriticFreeEvaluationFile = null)
{
    /// <summary>Notebook 06's evaluation file, relative to the repository root.</summary>
    public const string EvaluationPath = "out/06-evaluation/evaluation.json";

    /// <summary>Notebook 08's evaluation file, relative to the repository root.</summary>
    public const string CriticFreeEvaluationPath = "out/08-grpo-evaluation/evaluation.json";

    /// <summary>The course's inputs for a repository root (the folder above <c>notebooks/</c>).</summary>
    public static CourseReportInputs ForCourse(string repositoryRoot)
    {
        string At(string relative) => Path.Combine(repositoryRoot, relative);
        return new CourseReportInputs(At(EvaluationPath),
        [
            new("01 · pretraining: loss", At("out/01-base-model/history.json"), ["loss", "eval/loss"]),
            new("02 · SFT: loss", At("out/02-sft/history.json"), ["loss", "eval/loss"]),
            new("03 · reward model: accuracy", At("out/03-reward-model/history.json"), ["accuracy", "eval/accuracy", "eval/gold_accuracy"]),
            new("04 · PPO: reward-model score, gold score, KL", At($"{CoursePolicies.PpoFolder}/history.json"), ["objective/scores", "gold/score", "objective/kl"]),
            new("05 · DPO: loss and held-out accuracy", At($"{CoursePolicies.DpoFolder}/history.json"), ["loss", "eval/loss", "eval/rewards/accuracies"]),
            new("08 · GRPO (verifiable rewards): reward, gold score, groups without spread", At($"{CoursePolicies.GrpoFolder}/history.json"), ["reward", "gold/score", "frac_reward_zero_std"]),
        ], At(CriticFreeEvaluationPath));
    }
}

/// <summary>
/// The course's results: <c>results.json</c> (the evaluation JSON of notebook 06, the same keys as <c>rlhf eval --json</c>,
/// plus <c>notebook_seconds</c>) and the report sections (evaluation table, frontier, over-optimisation, training curves).
/// </summary>
public static class CourseReport
{
    /// <summary>
    /// The results object: notebook 06's evaluation when <paramref name="inputs"/>' file exists and was written at or after
    /// <paramref name="since"/> (else <c>evaluation_missing</c> says why), and each notebook's run time in seconds.
    /// </summary>
    public static JsonObject Results(CourseReportInputs inputs, IReadOnlyList<CourseNotebook> notebooks, DateTime since)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(notebooks);
        JsonObject results;
        var file = new FileInfo(inputs.EvaluationFile);
        if (!file.Exists)
            results = new JsonObject { ["evaluation_missing"] = $"{inputs.EvaluationFile} was not written (did notebook 06 run to the end?)" };
        else if (file.LastWriteTimeUtc < since)
            results = new JsonObject { ["evaluation_missing"] = $"{inputs.EvaluationFile} is older than this course run (notebook 06 did not write it this time)" };
        else
        {
            try
            {
                results = JsonNode.Parse(File.ReadAllText(file.FullName)) as JsonObject
                    ?? throw new InvalidDataException("not a JSON object");
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                results = new JsonObject { ["evaluation_missing"] = $"{inputs.EvaluationFile}: {e.Message}" };
            }
        }
        MergeCriticFree(inputs, results, since);
        results["notebook_seconds"] = new JsonObject(notebooks.Select(n =>
            KeyValuePair.Create(Path.GetFileNameWithoutExtension(n.Name), (JsonNode?)Math.Round(n.Result.Duration.TotalSeconds, 1))));
        return results;
    }

    /// <summary>Adds notebook 08's policies (those 06 does not have: grpo, grpo-verifiable, rloo) and their folders to
    /// <paramref name="results"/>, or says in <c>critic_free_missing</c> why they are not there.</summary>
    static void MergeCriticFree(CourseReportInputs inputs, JsonObject results, DateTime since)
    {
        if (inputs.CriticFreeEvaluationFile is null) return;
        var file = new FileInfo(inputs.CriticFreeEvaluationFile);
        string? missing = !file.Exists ? $"{inputs.CriticFreeEvaluationFile} was not written (did notebook 08 run to the end?)"
            : file.LastWriteTimeUtc < since ? $"{inputs.CriticFreeEvaluationFile} is older than this course run (notebook 08 did not write it this time)"
            : results["policies"] is not JsonObject ? "notebook 06's evaluation is missing, so notebook 08's policies have no table to join" : null;
        JsonObject? extra = null;
        if (missing is null)
        {
            try
            {
                extra = JsonNode.Parse(File.ReadAllText(file.FullName)) as JsonObject ?? throw new InvalidDataException("not a JSON object");
                if (extra["policies"] is not JsonObject) throw new InvalidDataException("no \"policies\" object");
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                missing = $"{inputs.CriticFreeEvaluationFile}: {e.Message}";
            }
        }
        if (missing is not null)
        {
            results["critic_free_missing"] = missing;
            return;
        }
        var policies = results["policies"]!.AsObject();
        var folders = results["folders"] as JsonObject;
        foreach (var (name, value) in extra!["policies"]!.AsObject().ToList())
        {
            if (policies.ContainsKey(name)) continue;
            policies[name] = value?.DeepClone();
            if (folders is not null && extra["folders"]?[name] is JsonNode folder) folders[name] = folder.DeepClone();
        }
    }

    /// <summary>The evaluation table of <paramref name="results"/> as text, or the reason it is missing.</summary>
    public static string TableText(JsonObject results) =>
        results["policies"] is JsonObject ? PolicySetEvaluation.Table(results).ToString() : $"No evaluation table: {results["evaluation_missing"]}";

    /// <summary>
    /// The report's HTML sections after the notebook list: the greedy and T=1 evaluation tables, the samples, the
    /// frontier table and both frontier charts, and the training curves whose history files were written at or after
    /// <paramref name="since"/>. All charts share one embedded copy of plotly.js, so the page draws offline.
    /// </summary>
    public static string Sections(JsonObject results, CourseReportInputs inputs, DateTime since)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(inputs);
        var html = new StringBuilder("<h2>Evaluation</h2>\n");
        var charts = new List<Figure>();
        if (results["policies"] is JsonObject)
        {
            html.Append(PolicySetEvaluation.Table(results).ToHtml()).Append('\n');
            html.Append(PolicySetEvaluation.Table(results, sampled: true).ToHtml()).Append('\n');
            if (results["samples"] is JsonArray samples) html.Append(SamplesTable(samples).ToHtml()).Append('\n');
        }
        else html.Append("<p>").Append(WebUtility.HtmlEncode(results["evaluation_missing"]?.ToString() ?? "no evaluation")).Append("</p>\n");

        if (results["frontier"] is JsonNode frontierJson)
        {
            var frontier = RewardKlFrontier.FromJson(frontierJson);
            html.Append("<h2>Reward-KL frontier</h2>\n").Append(frontier.ToTable().ToHtml()).Append('\n');
            if (frontier.Points.Count > 0) charts.AddRange([frontier.Chart(), frontier.OverOptimisationChart()]);
        }
        foreach (var history in inputs.Histories)
        {
            var file = new FileInfo(history.HistoryFile);
            if (!file.Exists || file.LastWriteTimeUtc < since) continue;
            var loaded = MetricsHistory.Load(file.FullName);
            var series = history.Metrics.Where(m => loaded.Series(m).Count > 0).ToDictionary(m => m, m => loaded.Series(m));
            if (series.Count > 0) charts.Add(Charts.History(history.Title, "value", series));
        }
        if (charts.Count > 0) html.Append("<h2>Charts</h2>\n").Append(ChartHtml.ToSharedHtml(charts)).Append('\n');
        return html.ToString();
    }

    /// <summary>The samples of the results JSON: prompt, then each policy's response and verdict.</summary>
    static HtmlTable SamplesTable(JsonArray samples)
    {
        var policies = samples.FirstOrDefault()?["responses"]?.AsObject().Select(p => p.Key).ToList() ?? [];
        return new HtmlTable("The same prompts, each policy's greedy response [gold verdict]", ["task", "prompt", .. policies],
            samples.Select(s => (IReadOnlyList<object?>)[(string?)s!["task"], (string?)s["prompt"],
                .. policies.Select(p => (object?)$"{s["responses"]?[p]}  [{s["verdicts"]?[p]}]")]).ToArray());
    }
}
