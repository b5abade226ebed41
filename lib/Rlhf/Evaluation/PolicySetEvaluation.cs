using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Plots;
using Rlhf.Text;

namespace Rlhf.Evaluation;

/// <summary>One policy of a <see cref="PolicySetEvaluation"/>: its evaluation under each sampling setting, on the same prompts.</summary>
/// <param name="Policy">Name and folder.</param>
/// <param name="Greedy">Greedy responses, judged (with reward-model scores when a reward model was given).</param>
/// <param name="TemperatureOne">Responses sampled at temperature 1, judged, each with its KL to the reference.</param>
public sealed record PolicySetEntry(NamedPolicy Policy, PolicyEvaluation Greedy, PolicyEvaluation TemperatureOne);

/// <summary>
/// The course's evaluation of a set of named policies (base, SFT, PPO, DPO, or any others) on held-out TinyWorld
/// prompts, judged by the gold judge, under two fixed sampling settings: greedy decoding and temperature-1 sampling.
/// </summary>
/// <remarks>
/// <para>JSON (<see cref="ToJson"/>, what <c>rlhf eval --json</c> prints and <c>results.json</c> holds):
/// <c>{"policies": {"base": {...}, "sft": {...}, ...}, "settings": {...}, "folders": {...}, "samples": [...]}</c>.
/// Each policy's top-level keys are the <b>greedy</b> numbers: <c>helpfulness</c>, <c>harmlessness</c>, <c>over_refusal</c>,
/// <c>honesty</c>, <c>gold_mean</c>, <c>win_rate_vs_sft</c>, <c>win_rate_vs_base</c>, <c>length_mean</c>, <c>distinct_2</c>
/// (rates in [0, 1]), then extras (<c>gold_mean_se</c>, <c>rm_score</c>, <c>distinct_1</c>, <c>ended_rate</c>, <c>prompts</c>,
/// <c>success/&lt;kind&gt;</c>, ...) with <see cref="PolicyMetrics.ToDictionary"/>'s names; except <c>kl_to_sft</c> and
/// <c>kl_to_sft_se</c>, which come from the temperature-1 samples (a Monte-Carlo KL needs responses drawn from the policy;
/// a greedy answer is not one). The object <c>t1</c> inside each policy holds the same keys measured on the temperature-1
/// samples. <c>sft</c> and <c>base</c> are <see cref="PolicySetOptions.Reference"/> and <see cref="PolicySetOptions.Baseline"/>.</para>
/// </remarks>
public sealed class PolicySetEvaluation
{
    PolicySetEvaluation(PolicySetOptions options, IReadOnlyList<PolicySetEntry> entries)
    {
        Options = options;
        Entries = entries;
    }

    /// <summary>The settings of this evaluation.</summary>
    public PolicySetOptions Options { get; }

    /// <summary>Every policy, in the order of <see cref="PolicySetOptions.Policies"/>.</summary>
    public IReadOnlyList<PolicySetEntry> Entries { get; }

    /// <summary>The entry named <paramref name="name"/>.</summary>
    public PolicySetEntry this[string name] => Entries.FirstOrDefault(e => e.Policy.Name == name)
        ?? throw new KeyNotFoundException($"no policy '{name}' in this evaluation ({string.Join(", ", Entries.Select(e => e.Policy.Name))})");

    /// <summary>
    /// Loads each policy in turn (the reference stays loaded for the KL), answers every prompt greedily and at T = 1, and
    /// judges the answers; the reward model, when set, scores them too. <paramref name="progress"/> hears which policy starts.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options, or a policy whose vocabulary differs from the reference's.</exception>
    /// <exception cref="DirectoryNotFoundException">A policy folder holds no checkpoint (the message names the command that creates it).</exception>
    public static PolicySetEvaluation Run(PolicySetOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var referencePolicy = options.Policies.Single(p => p.Name == options.Reference);
        var tokenizer = TextTokenizer.Load(referencePolicy.Folder);
        using var reference = Checkpoint.LoadGpt(referencePolicy.Folder);
        using var rewardModel = options.RewardCheckpoint is { } rm ? RewardModel.Load(rm) : null;
        var greedy = new PolicyEvaluator(tokenizer, options.Greedy);
        var sampled = new PolicyEvaluator(tokenizer, options.TemperatureOne);
        var prompts = greedy.LoadPrompts();
        if (!sampled.LoadPrompts().SequenceEqual(prompts))
            throw new ArgumentException("the greedy and t1 settings select different prompts; give both the same prompts_file and max_prompts_per_kind.");

        var entries = new List<PolicySetEntry>();
        foreach (var named in options.Policies)
        {
            progress?.Invoke(named.Name);
            using var policy = Checkpoint.LoadGpt(named.Folder);
            if (policy.VocabularySize != reference.VocabularySize)
                throw new ArgumentException(
                    $"policy '{named.Name}' ({named.Folder}) has a vocabulary of {policy.VocabularySize} tokens, the reference '{referencePolicy.Name}' {reference.VocabularySize}: they must share the tokenizer.");
            entries.Add(new PolicySetEntry(named,
                greedy.Evaluate(named.Name, policy, prompts, reference: null, rewardModel),
                sampled.Evaluate(named.Name, policy, prompts, reference, rewardModel)));
        }
        return new PolicySetEvaluation(options, entries);
    }

    /// <summary>Gold win rate of <paramref name="candidate"/> against <paramref name="baseline"/> prompt by prompt (ties half), with its standard error.</summary>
    static Estimate WinRate(PolicyEvaluation candidate, PolicyEvaluation baseline) =>
        Statistics.WinRateEstimate(candidate.Samples.Select(s => s.GoldScore).ToList(), baseline.Samples.Select(s => s.GoldScore).ToList());

    /// <summary>The paired per-prompt gold difference candidate - baseline, with its standard error.</summary>
    static Estimate GoldDifference(PolicyEvaluation candidate, PolicyEvaluation baseline) =>
        Statistics.PairedDifference(candidate.Samples.Select(s => s.GoldScore).ToList(), baseline.Samples.Select(s => s.GoldScore).ToList());

    /// <summary>One policy's numbers under one setting, the issue's keys first; <paramref name="kl"/> supplies the KL keys.</summary>
    JsonObject Metrics(PolicyEvaluation evaluation, Func<PolicySetEntry, PolicyEvaluation> setting, PolicyMetrics kl)
    {
        var all = evaluation.Metrics.ToDictionary();
        var ordered = new JsonObject();
        void Put(string key, double? value) { if (value is { } v && double.IsFinite(v)) ordered[key] = v; }
        foreach (var key in new[] { "helpfulness", "harmlessness", "over_refusal", "honesty", "gold_mean" }) Put(key, all.TryGetValue(key, out var v) ? v : null);
        foreach (var other in new[] { Options.Reference, Options.Baseline })
        {
            var winRate = WinRate(evaluation, setting(this[other]));
            Put($"win_rate_vs_{other}", winRate.Mean);
            Put($"win_rate_vs_{other}_se", winRate.StandardError);
        }
        var difference = GoldDifference(evaluation, setting(this[Options.Reference]));
        Put($"gold_diff_vs_{Options.Reference}", difference.Mean);
        Put($"gold_diff_vs_{Options.Reference}_se", difference.StandardError);
        Put("length_mean", all["length_mean"]);
        Put("distinct_2", all["distinct_2"]);
        Put($"kl_to_{Options.Reference}", kl.KlToReference?.Mean);
        Put($"kl_to_{Options.Reference}_se", kl.KlToReference?.StandardError);
        foreach (var (key, value) in all)
            if (!ordered.ContainsKey(key) && !key.StartsWith("kl_to_reference", StringComparison.Ordinal)) Put(key, value);
        return ordered;
    }

    /// <summary>What the checkpoint in <paramref name="folder"/> was trained to optimise, as its stage recorded it
    /// (<c>PPO-ptx (10)</c>, <c>DPO + NLL (2)</c>, ...), else its stage (<c>sft</c>, <c>pretrain</c>), else null.</summary>
    static string? ObjectiveOf(string folder)
    {
        try
        {
            var metadata = Checkpoint.ReadMetadata(folder);
            return metadata.TryGetValue("objective", out var objective) ? objective
                : metadata.TryGetValue("stage", out var stage) ? stage : null;
        }
        catch (Exception e) when (e is IOException or CheckpointFormatException)
        {
            return null; // an HF folder or another layout: nothing recorded
        }
    }

    /// <summary>The evaluation as JSON with stable snake_case keys (see the class remarks for the shape).</summary>
    public JsonObject ToJson()
    {
        var policies = new JsonObject();
        foreach (var entry in Entries)
        {
            var greedy = Metrics(entry.Greedy, e => e.Greedy, entry.TemperatureOne.Metrics);
            greedy["t1"] = Metrics(entry.TemperatureOne, e => e.TemperatureOne, entry.TemperatureOne.Metrics);
            policies[entry.Policy.Name] = greedy;
        }
        var first = Entries[0];
        return new JsonObject
        {
            ["policies"] = policies,
            ["settings"] = new JsonObject
            {
                ["top_level"] = $"greedy ({first.Greedy.Sampling}); kl_to_{Options.Reference} from the t1 samples",
                ["greedy"] = first.Greedy.Sampling,
                ["t1"] = first.TemperatureOne.Sampling,
                ["kl"] = $"KL(policy || {Options.Reference}): per response, sum over its tokens of log pi - log pi_ref (k1) at T=1, mean over prompts, se = s/sqrt(n)",
                ["win_rates"] = "share of prompts where the policy's gold score beats the other's, ties count half; _se = s/sqrt(n) of the per-prompt outcomes (1, 0.5, 0)",
                ["gold_diff"] = $"mean per-prompt gold difference policy - {Options.Reference} on the same prompts; _se = paired s/sqrt(n)",
                ["prompts_file"] = Options.Greedy.PromptsFile.Replace('\\', '/'),
                ["prompts"] = first.Greedy.Samples.Count,
                ["reference"] = Options.Reference,
                ["baseline"] = Options.Baseline,
                ["reward_checkpoint"] = Options.RewardCheckpoint?.Replace('\\', '/'),
            },
            ["folders"] = new JsonObject(Entries.Select(e => KeyValuePair.Create(e.Policy.Name, (JsonNode?)e.Policy.Folder.Replace('\\', '/')))),
            ["objectives"] = new JsonObject(Entries.Select(e => KeyValuePair.Create(e.Policy.Name, (JsonNode?)ObjectiveOf(e.Policy.Folder)))),
            ["samples"] = SamplesJson(1),
        };
    }

    /// <summary>The first <paramref name="perKind"/> prompts of each task kind with every policy's greedy response and verdict.</summary>
    JsonArray SamplesJson(int perKind)
    {
        var first = Entries[0].Greedy.Samples;
        var chosen = Enumerable.Range(0, first.Count).GroupBy(i => first[i].Kind).SelectMany(g => g.Take(perKind));
        return new JsonArray(chosen.Select(i => (JsonNode)new JsonObject
        {
            ["task"] = PolicyMetrics.KindKey(first[i].Kind),
            ["prompt"] = first[i].Prompt,
            ["responses"] = new JsonObject(Entries.Select(e => KeyValuePair.Create(e.Policy.Name, (JsonNode?)e.Greedy.Samples[i].Response.Trim()))),
            ["verdicts"] = new JsonObject(Entries.Select(e => KeyValuePair.Create(e.Policy.Name, (JsonNode?)e.Greedy.Samples[i].Verdict.ToString()))),
        }).ToArray());
    }

    /// <summary>The JSON indented, as written to <c>evaluation.json</c> and printed by <c>rlhf eval --json</c>.</summary>
    public static string Format(JsonNode json) => json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The main table (greedy; KL from the T=1 samples): one row per metric, one column per policy.</summary>
    public HtmlTable ToTable() => Table(ToJson());

    /// <summary>The same table for the temperature-1 samples.</summary>
    public HtmlTable ToSampledTable() => Table(ToJson(), sampled: true);

    /// <summary>The rows a reader compares policies by: the three dimensions and over-refusal, the gold mean, the win rates,
    /// the drift from SFT, the length and how often an answer ends by itself. The other metrics stay in <see cref="ToJson"/> (<c>evaluation.json</c>).</summary>
    public static IReadOnlyList<string> HeadlineKeys { get; } =
        ["helpfulness", "harmlessness", "over_refusal", "honesty", "gold_mean", "win_rate_vs_sft", "win_rate_vs_base", "kl_to_sft", "length_mean", "ended_rate"];

    /// <summary><see cref="ToTable"/> (or, when <paramref name="sampled"/>, <see cref="ToSampledTable"/>) cut to
    /// <see cref="HeadlineKeys"/> whose reference and baseline match this evaluation's.</summary>
    public HtmlTable ToHeadlineTable(bool sampled = false) => Table(ToJson(), sampled,
        HeadlineKeys.Select(k => k.Replace("_sft", $"_{Options.Reference}").Replace("_base", $"_{Options.Baseline}")).ToList());

    /// <summary>
    /// The table of an evaluation's JSON (<see cref="ToJson"/>, or <c>results.json</c> read back): one row per key of the
    /// first policy (per-kind success rates left out), one column per policy; <paramref name="sampled"/> shows the <c>t1</c> objects.
    /// </summary>
    /// <exception cref="InvalidDataException">The JSON has no <c>policies</c> object.</exception>
    public static HtmlTable Table(JsonObject json, bool sampled = false) => Table(json, sampled, null);

    /// <summary><see cref="Table(JsonObject, bool)"/> with only the rows of <paramref name="only"/> (in that order; keys the
    /// JSON lacks are left out), and a caption that says where the other metrics are; null keeps every row.</summary>
    /// <exception cref="InvalidDataException">The JSON has no <c>policies</c> object.</exception>
    public static HtmlTable Table(JsonObject json, bool sampled, IReadOnlyList<string>? only)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json["policies"] is not JsonObject { Count: > 0 } policies)
            throw new InvalidDataException("evaluation JSON: no \"policies\" object with at least one policy");
        JsonObject Of(JsonNode? policy) => (sampled ? policy?["t1"] : policy) as JsonObject ?? [];
        var keys = Of(policies.First().Value).Where(p => p.Value is JsonValue && !p.Key.StartsWith("success/", StringComparison.Ordinal)).Select(p => p.Key).ToList();
        if (only is not null) keys = only.Where(keys.Contains).ToList();
        var rows = keys.Select(key => (IReadOnlyList<object?>)[key, .. policies.Select(p => Of(p.Value)[key] is JsonValue v ? (object?)v.GetValue<double>() : null)]).ToArray();
        var settings = json["settings"];
        string how = sampled ? $"{settings?["t1"]}" : $"{settings?["greedy"]}; kl_to_* from the T=1 samples";
        string rest = only is null ? "" : "; the other metrics in evaluation.json";
        return new HtmlTable($"Gold judge on {settings?["prompts"]} held-out prompts ({how}{rest})", ["metric", .. policies.Select(p => p.Key)], rows);
    }

    /// <summary>The same prompts answered by every policy (greedy), side by side: <paramref name="perKind"/> per task kind.</summary>
    public HtmlTable SamplesTable(int perKind = 1) => PolicyEvaluation.CompareSamples(Entries.Select(e => e.Greedy).ToList(), perKind);

    /// <summary>The headline rates of every policy as grouped bars (greedy).</summary>
    public Figure Chart() => PolicyEvaluation.CompareChart(Entries.Select(e => e.Greedy).ToList());
}
