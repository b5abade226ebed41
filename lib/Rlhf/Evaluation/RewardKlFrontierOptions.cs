using System.Text.Json.Serialization;

namespace Rlhf.Evaluation;

/// <summary>One policy on the reward-KL frontier: its method (the series it is drawn in), its label and setting, its folder.</summary>
/// <param name="Method">Series name: <c>ppo</c>, <c>dpo</c>, or <c>sft</c> for the reference itself.</param>
/// <param name="Label">Point label, e.g. <c>kl_coef=0.05</c> or <c>beta=0.1 (40 steps)</c>.</param>
/// <param name="Setting">The method's strength setting (kl_coef for PPO, beta for DPO; 0 for the reference).</param>
/// <param name="Folder">The policy's checkpoint folder.</param>
public sealed record FrontierPolicy(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("setting")] double Setting,
    [property: JsonPropertyName("folder")] string Folder);

/// <summary>
/// What <see cref="RewardKlFrontier.Measure"/> measures: the policies (one point each), the reference every KL is taken to,
/// the reward model whose score is compared with the gold score, and the sampling of the responses all three numbers are
/// computed from.
/// </summary>
public sealed record RewardKlFrontierOptions
{
    /// <summary>The points, in legend order. Default: none (see <see cref="Course"/>).</summary>
    [JsonPropertyName("points")] public IReadOnlyList<FrontierPolicy> Points { get; init; } = [];

    /// <summary>The reference policy of the KL. Default <c>data/checkpoints/sft</c>.</summary>
    [JsonPropertyName("reference_checkpoint")] public string ReferenceCheckpoint { get; init; } = CoursePolicies.SftFolder;

    /// <summary>The reward model (the proxy PPO optimised). Default <c>data/checkpoints/rm</c>.</summary>
    [JsonPropertyName("reward_checkpoint")] public string RewardCheckpoint { get; init; } = CoursePolicies.RewardFolder;

    /// <summary>How the responses are sampled: temperature 1 (the policy's own distribution, so the KL is a Monte-Carlo
    /// estimate), seed 0, 48 new tokens, the first 8 held-out prompts of each task kind (56). Default as said.</summary>
    [JsonPropertyName("evaluation")] public PolicyEvaluationOptions Evaluation { get; init; } = PolicyEvaluationOptions.TemperatureOne with { MaxPromptsPerKind = 8 };

    /// <summary>
    /// The course's frontier under <paramref name="root"/>: the SFT reference (KL 0), PPO with notebook 04's defaults and
    /// without the KL penalty (kl_coef 0), PPO at <see cref="CoursePolicies.FrontierExtraKlCoef"/> (both shortened as
    /// <see cref="CoursePolicies"/> sets them; a label names the iterations when they differ from notebook 04's)
    /// (notebook 06's extra run), DPO at notebook 05's beta and its
    /// beta comparison; 8 prompts per task kind (56) in a full run, 1 (7) in a smoke run.
    /// </summary>
    public static RewardKlFrontierOptions Course(string root)
    {
        var ppo = CoursePolicies.Ppo(root);
        var dpo = CoursePolicies.Dpo(root);
        string N(double x) => CoursePolicies.Number(x);
        var (extra, noKl) = (CoursePolicies.PpoFrontierExtra(root), CoursePolicies.PpoNoKl(root));
        string Iterations(int n) => n == ppo.Iterations ? "" : $" ({n} iterations)";
        var points = new List<FrontierPolicy>
        {
            new("sft", "reference", 0, Path.Combine(root, CoursePolicies.SftFolder)),
            new("ppo", $"kl_coef={N(extra.KlCoef)}{Iterations(extra.Iterations)}", extra.KlCoef, extra.OutputFolder!),
            new("ppo", $"kl_coef={N(ppo.KlCoef)}" + (ppo.Ptx.IsOn ? $", ptx.coef={N(ppo.Ptx.Coef)}" : ""), ppo.KlCoef, ppo.OutputFolder!),
            new("ppo", $"kl_coef=0{Iterations(noKl.Iterations)}", 0, noKl.OutputFolder!),
            new("dpo", $"beta={N(dpo.Beta)}", dpo.Beta, dpo.OutputFolder),
        };
        foreach (var beta in CoursePolicies.DpoBetas.OrderByDescending(b => b))
            points.Add(new("dpo (short runs)", $"beta={N(beta)}", beta, CoursePolicies.DpoBeta(dpo, beta).OutputFolder));
        return new RewardKlFrontierOptions
        {
            Points = points,
            ReferenceCheckpoint = Path.Combine(root, CoursePolicies.SftFolder),
            RewardCheckpoint = Path.Combine(root, CoursePolicies.RewardFolder),
            Evaluation = PolicyEvaluationOptions.TemperatureOne with
            {
                PromptsFile = Path.Combine(root, CoursePolicies.DataFolder, "eval_prompts.txt"), MaxPromptsPerKind = CourseRun.Pick(full: 8, smoke: 1),
            },
        };
    }

    /// <summary>Throws naming the first problem: no points, sampling that does not draw from the policy, a missing reference or reward folder.</summary>
    public RewardKlFrontierOptions Validate()
    {
        if (Points.Count == 0) throw new ArgumentException("RewardKlFrontierOptions.Points (\"points\") is empty.");
        Evaluation.Validate();
        var s = Evaluation.Generation.Sampling;
        if (s.IsGreedy || s.TopK != 0 || s.TopP < 1)
            throw new ArgumentException($"RewardKlFrontierOptions.Evaluation (\"evaluation\") must sample from the policy itself (temperature, no top-k/top-p), got {Evaluation.Describe()}.");
        if (!CoursePolicies.HasCheckpoint(ReferenceCheckpoint))
            throw new DirectoryNotFoundException($"reference checkpoint '{ReferenceCheckpoint}' not found (reference_checkpoint).");
        if (!Directory.Exists(RewardCheckpoint))
            throw new DirectoryNotFoundException($"reward checkpoint '{RewardCheckpoint}' not found (reward_checkpoint).");
        return this;
    }
}
