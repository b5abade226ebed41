using System.Text.Json.Serialization;

namespace Rlhf.Evaluation;

/// <summary>
/// What <see cref="PolicySetEvaluation.Run"/> compares and how: the named policies, which of them is the reference (KL,
/// win rates) and the baseline (a second win rate), the reward model whose score is reported beside the gold score,
/// and the two fixed sampling settings (greedy, and temperature 1) every policy is evaluated under.
/// </summary>
public sealed record PolicySetOptions
{
    /// <summary>The policies, in table order. Default: none (see <see cref="Course"/>).</summary>
    [JsonPropertyName("policies")] public IReadOnlyList<NamedPolicy> Policies { get; init; } = [];

    /// <summary>Name of the reference policy: every policy's KL is measured to it and <c>win_rate_vs_{reference}</c> against it. Default <c>sft</c>.</summary>
    [JsonPropertyName("reference")] public string Reference { get; init; } = "sft";

    /// <summary>Name of the second policy every other one is compared with (<c>win_rate_vs_{baseline}</c>). Default <c>base</c>.</summary>
    [JsonPropertyName("baseline")] public string Baseline { get; init; } = "base";

    /// <summary>Reward-model checkpoint whose normalised score (<c>rm_score</c>) is reported next to the gold score; null skips it.
    /// Default <c>data/checkpoints/rm</c>.</summary>
    [JsonPropertyName("reward_checkpoint")] public string? RewardCheckpoint { get; init; } = CoursePolicies.RewardFolder;

    /// <summary>The main setting (top-level keys of each policy): greedy decoding, 48 new tokens, every held-out prompt.</summary>
    [JsonPropertyName("greedy")] public PolicyEvaluationOptions Greedy { get; init; } = PolicyEvaluationOptions.Greedy;

    /// <summary>The sampled setting (each policy's <c>t1</c> object, and the KL): temperature 1, no top-k / top-p, seed 0,
    /// 48 new tokens, every held-out prompt.</summary>
    [JsonPropertyName("t1")] public PolicyEvaluationOptions TemperatureOne { get; init; } = PolicyEvaluationOptions.TemperatureOne;

    /// <summary>
    /// The course's comparison: base, SFT, PPO (notebook 04) and DPO (notebook 05) under <paramref name="root"/>, every
    /// held-out prompt in a full run (172, both settings), two per task kind (14) in a smoke run.
    /// </summary>
    public static PolicySetOptions Course(string root)
    {
        var prompts = Path.Combine(root, CoursePolicies.DataFolder, "eval_prompts.txt");
        int perKind = CourseRun.Pick(full: 0, smoke: 2);
        return new PolicySetOptions
        {
            Policies = CoursePolicies.Compared(root),
            RewardCheckpoint = Path.Combine(root, CoursePolicies.RewardFolder),
            Greedy = PolicyEvaluationOptions.Greedy with { PromptsFile = prompts, MaxPromptsPerKind = perKind },
            TemperatureOne = PolicyEvaluationOptions.TemperatureOne with { PromptsFile = prompts, MaxPromptsPerKind = perKind },
        };
    }

    /// <summary>
    /// Replaces the policy of the same name, or appends a new one: how <c>rlhf eval --policy name=folder</c> changes the defaults.
    /// </summary>
    public PolicySetOptions WithPolicy(NamedPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var list = Policies.ToList();
        int at = list.FindIndex(p => p.Name == policy.Name);
        if (at >= 0) list[at] = policy;
        else list.Add(policy);
        return this with { Policies = list };
    }

    /// <summary>Throws naming the first problem: no policies, a repeated name, a reference or baseline that is not one of
    /// the policies, invalid sampling settings, a greedy "t1" setting, or (through <see cref="NamedPolicy.Validate"/>) a
    /// missing checkpoint folder with the command that creates it.</summary>
    public PolicySetOptions Validate()
    {
        if (Policies.Count == 0) throw new ArgumentException("PolicySetOptions.Policies (\"policies\") is empty: name at least the reference policy.");
        foreach (var duplicate in Policies.GroupBy(p => p.Name).Where(g => g.Count() > 1))
            throw new ArgumentException($"policy name '{duplicate.Key}' appears {duplicate.Count()} times; names must differ.");
        foreach (var (field, name) in new[] { ("reference", Reference), ("baseline", Baseline) })
            if (!Policies.Any(p => p.Name == name))
                throw new ArgumentException($"PolicySetOptions \"{field}\" is '{name}', which is not one of the policies ({string.Join(", ", Policies.Select(p => p.Name))}).");
        Greedy.Validate();
        TemperatureOne.Validate();
        if (TemperatureOne.Generation.Sampling.IsGreedy)
            throw new ArgumentException("PolicySetOptions.TemperatureOne (\"t1\") must sample: the KL to the reference is estimated from sampled responses.");
        if (RewardCheckpoint is { } rm && !Directory.Exists(rm))
            throw new DirectoryNotFoundException($"reward checkpoint '{rm}' not found (set reward_checkpoint, or null to skip rm_score).");
        foreach (var policy in Policies) policy.Validate();
        return this;
    }

    /// <summary>The settings in one short table a learner reads at a glance: each policy and its folder, the reference and
    /// baseline, the reward model, both sampling settings and the prompts file.</summary>
    public Plots.HtmlTable ToTable() => Plots.HtmlTable.FromPairs("The evaluation's settings", new Dictionary<string, string>
    {
        ["policies"] = string.Join(", ", Policies.Select(p => $"{p.Name} ({p.Folder})")),
        ["reference (KL, win rate)"] = Reference,
        ["baseline (second win rate)"] = Baseline,
        ["reward model (rm_score)"] = RewardCheckpoint ?? "none",
        ["main setting"] = Greedy.Describe(),
        ["sampled setting (t1, KL)"] = TemperatureOne.Describe(),
        ["prompts"] = Greedy.PromptsFile + (Greedy.MaxPromptsPerKind > 0 ? $" ({Greedy.MaxPromptsPerKind} per task kind)" : " (all)"),
    }, "setting", "value");
}
