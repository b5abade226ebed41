using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Plots;
using Rlhf.Text;

namespace Rlhf.Evaluation;

/// <summary>One measured point of the frontier: all three numbers come from the same responses, sampled from the policy.</summary>
/// <param name="Method">Series (ppo, dpo, sft, ...).</param>
/// <param name="Label">Point label (its setting).</param>
/// <param name="Setting">kl_coef or beta.</param>
/// <param name="Folder">The policy's folder.</param>
/// <param name="Kl">Mean per-response KL(policy || reference), nats.</param>
/// <param name="KlSe">Standard error of <paramref name="Kl"/>.</param>
/// <param name="GoldMean">Mean gold score of the responses, in [0, 1].</param>
/// <param name="GoldMeanSe">Standard error of <paramref name="GoldMean"/>.</param>
/// <param name="RmScore">Mean normalised reward-model score of the same responses.</param>
/// <param name="RmScoreSe">Standard error of <paramref name="RmScore"/>.</param>
/// <param name="Prompts">Prompts (one response each).</param>
public sealed record FrontierPoint(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("setting")] double Setting,
    [property: JsonPropertyName("folder")] string Folder,
    [property: JsonPropertyName("kl")] double Kl,
    [property: JsonPropertyName("kl_se")] double KlSe,
    [property: JsonPropertyName("gold_mean")] double GoldMean,
    [property: JsonPropertyName("gold_mean_se")] double GoldMeanSe,
    [property: JsonPropertyName("rm_score")] double RmScore,
    [property: JsonPropertyName("rm_score_se")] double RmScoreSe,
    [property: JsonPropertyName("prompts")] int Prompts);

/// <summary>
/// The reward-KL frontier (the DPO paper's IMDb figure, Rafailov et al. 2023, Fig. 2 left, on TinyWorld): each policy
/// becomes a point (KL to the reference, mean gold reward); a method whose points lie higher at the same KL gets more
/// reward for the same drift. The same points with the reward model's score against the gold score show
/// over-optimisation (Gao et al. 2022): the proxy score can keep rising while the gold score does not.
/// </summary>
/// <param name="Points">Measured points, in the options' order.</param>
/// <param name="Missing">Policies whose folder held no checkpoint (not measured, listed so nothing is dropped silently).</param>
/// <param name="Sampling">The sampling settings of every point, in words.</param>
public sealed record RewardKlFrontier(
    [property: JsonPropertyName("points")] IReadOnlyList<FrontierPoint> Points,
    [property: JsonPropertyName("missing")] IReadOnlyList<FrontierPolicy> Missing,
    [property: JsonPropertyName("sampling")] string Sampling)
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>
    /// Samples one response per prompt from each policy (<see cref="RewardKlFrontierOptions.Evaluation"/>), and measures on
    /// those responses the KL to the reference, the gold score and the reward-model score. A policy whose folder holds no
    /// checkpoint is listed in <see cref="Missing"/>. <paramref name="progress"/> hears each point's label as it starts.
    /// </summary>
    public static RewardKlFrontier Measure(RewardKlFrontierOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var tokenizer = TextTokenizer.Load(options.ReferenceCheckpoint);
        using var reference = Checkpoint.LoadGpt(options.ReferenceCheckpoint);
        using var rewardModel = RewardModel.Load(options.RewardCheckpoint);
        var evaluator = new PolicyEvaluator(tokenizer, options.Evaluation);
        var prompts = evaluator.LoadPrompts();
        var points = new List<FrontierPoint>();
        var missing = new List<FrontierPolicy>();
        foreach (var policy in options.Points)
        {
            if (!CoursePolicies.HasCheckpoint(policy.Folder))
            {
                missing.Add(policy);
                continue;
            }
            progress?.Invoke($"{policy.Method} {policy.Label}");
            using var model = Checkpoint.LoadGpt(policy.Folder);
            var metrics = evaluator.Evaluate(policy.Label, model, prompts, reference, rewardModel).Metrics;
            points.Add(new FrontierPoint(policy.Method, policy.Label, policy.Setting, policy.Folder.Replace('\\', '/'),
                metrics.KlToReference!.Mean, metrics.KlToReference.StandardError, metrics.GoldScore.Mean, metrics.GoldScore.StandardError,
                metrics.RewardScore!.Mean, metrics.RewardScore.StandardError, metrics.Prompts));
        }
        return new RewardKlFrontier(points, missing, options.Evaluation.Describe());
    }

    /// <summary>KL on x, mean gold reward on y, one series per method, each point labelled with its setting, with error bars of
    /// one standard error both ways (over the prompts: a gap smaller than the bars is not a measured difference).</summary>
    public Figure Chart() => Charts.Scatter(
        $"Reward-KL frontier ({Sampling}; bars: ± 1 s.e.)", "KL(policy || SFT) per response, nats", "mean gold score",
        Points.Select(p => new LabeledPoint(p.Kl, p.GoldMean, p.Label, p.Method, p.KlSe, p.GoldMeanSe)).ToList());

    /// <summary>The over-optimisation picture (Gao et al. 2022): reward-model score on x, gold score on y, same points.</summary>
    public Figure OverOptimisationChart() => Charts.Scatter(
        "Reward model vs gold judge on the same responses (bars: ± 1 s.e.)", "mean reward-model score (normalised)", "mean gold score",
        Points.Select(p => new LabeledPoint(p.RmScore, p.GoldMean, p.Label, p.Method, p.RmScoreSe, p.GoldMeanSe)).ToList());

    /// <summary>The points as a table, missing policies named in the caption.</summary>
    public HtmlTable ToTable() => HtmlTable.From(
        $"Reward-KL frontier ({Sampling}, {Points.FirstOrDefault()?.Prompts ?? 0} prompts)" +
        (Missing.Count == 0 ? "" : $"; not measured (no checkpoint): {string.Join(", ", Missing.Select(m => $"{m.Method} {m.Label} ({m.Folder})"))}"),
        Points,
        ("method", p => p.Method), ("setting", p => p.Label), ("KL (nats)", p => p.Kl), ("± se", p => p.KlSe),
        ("gold score", p => p.GoldMean), ("± se ", p => p.GoldMeanSe), ("RM score", p => p.RmScore), ("± se  ", p => p.RmScoreSe));

    /// <summary>As JSON (the <c>frontier</c> object of <c>results.json</c>).</summary>
    public JsonNode ToJson() => JsonSerializer.SerializeToNode(this, Json)!;

    /// <summary>Reads <see cref="ToJson"/> back.</summary>
    /// <exception cref="InvalidDataException">Not a frontier object.</exception>
    public static RewardKlFrontier FromJson(JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var frontier = json.Deserialize<RewardKlFrontier>(Json);
            if (frontier?.Points is null) throw new InvalidDataException("frontier JSON: no \"points\" array");
            return frontier with { Missing = frontier.Missing ?? [] };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"frontier JSON: {e.Message}", e);
        }
    }
}
