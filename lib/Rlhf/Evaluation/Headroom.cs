using Rlhf.Checkpoints;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Plots;
using Rlhf.World;

namespace Rlhf.Evaluation;

/// <summary>What RLHF can reach on one task family before anything is trained (all scores are the gold judge's, 0-1).</summary>
/// <param name="Kind">The task family, or <c>all</c>.</param>
/// <param name="Prompts">Held-out prompts of the family.</param>
/// <param name="Greedy">Mean gold of the greedy answer: where the policy stands.</param>
/// <param name="Sampled">Mean gold of one sample at the sampling temperature.</param>
/// <param name="BestByGold">Mean gold of the best of N samples by gold: what is reachable by re-weighting the policy's own samples.</param>
/// <param name="BestByReward">Mean gold of the sample the reward model scores highest (Best-of-N): what the reward model can pick.
/// Below <see cref="Greedy"/>, the reward model steers PPO and Best-of-N away from the right answers. Null without a reward model.</param>
/// <param name="Fixable">Share of prompts whose greedy answer is not fully right (gold below 1) while some sample is (gold 1).</param>
public sealed record HeadroomRow(string Kind, int Prompts, double Greedy, double Sampled, double BestByGold, double? BestByReward, double Fixable);

/// <summary>
/// The headroom diagnostic of issue 36: per task family on the held-out prompts, the greedy gold, the mean gold of a sample,
/// the best of N samples by gold and by the reward model, and the share of fixable prompts. A family with no fixable prompt
/// cannot move by preference learning on the policy's own samples; a reward model whose best of N is below greedy cannot
/// teach PPO anything there.
/// </summary>
public static class Headroom
{
    /// <summary>
    /// Measures <paramref name="policy"/>: one greedy answer and <paramref name="samples"/> samples at
    /// <paramref name="temperature"/> (seeds 1..N, one generator per pass) for every prompt of <paramref name="evaluation"/>'s
    /// prompts file, each judged by gold and, when <paramref name="rewardModel"/> is given, scored by it on the generated ids.
    /// </summary>
    public static IReadOnlyList<HeadroomRow> Measure(ICausalLanguageModel policy, Text.TextTokenizer tokenizer, RewardModel? rewardModel,
        PolicyEvaluationOptions evaluation, int samples = 8, double temperature = 1.0)
    {
        if (samples < 1) throw new ArgumentException($"headroom needs at least one sample per prompt, not {samples}", nameof(samples));
        var greedyEvaluator = new PolicyEvaluator(tokenizer, evaluation with { Generation = evaluation.Generation with { Sampling = SamplingOptions.GreedyDecoding } });
        var prompts = greedyEvaluator.LoadPrompts();
        var greedy = greedyEvaluator.Evaluate("greedy", policy, prompts).Samples;
        var passes = SampledPasses.Draw(policy, tokenizer, evaluation, prompts, samples, temperature, rewardModel);

        var perPrompt = prompts.Select((prompt, i) =>
        {
            var drawn = passes.Select(p => p[i]).ToList();
            return (Kind: greedy[i].Kind, Greedy: greedy[i].GoldScore, Sampled: drawn.Average(s => s.GoldScore), Best: drawn.Max(s => s.GoldScore),
                ByReward: rewardModel is null ? (double?)null : drawn.MaxBy(s => s.RewardScore!.Value)!.GoldScore,
                Fixable: greedy[i].GoldScore < 1 && drawn.Any(s => s.GoldScore >= 1));
        }).ToList();
        HeadroomRow Row(string name, IReadOnlyCollection<(TaskKind Kind, double Greedy, double Sampled, double Best, double? ByReward, bool Fixable)> rows) =>
            new(name, rows.Count, rows.Average(r => r.Greedy), rows.Average(r => r.Sampled), rows.Average(r => r.Best),
                rewardModel is null ? null : rows.Average(r => r.ByReward!.Value), rows.Average(r => r.Fixable ? 1.0 : 0.0));
        return [.. perPrompt.GroupBy(p => p.Kind).OrderBy(g => g.Key).Select(g => Row(g.Key.ToString(), g.ToList())), Row("all", perPrompt)];
    }

    /// <summary>The rows as a table (notebooks, the course report).</summary>
    public static HtmlTable Table(IReadOnlyList<HeadroomRow> rows, int samples) =>
        HtmlTable.From($"Headroom on the held-out prompts (gold; {samples} samples per prompt)", rows,
            ("kind", r => r.Kind), ("n", r => r.Prompts), ("greedy", r => r.Greedy), ("T=1 sample", r => r.Sampled),
            ($"best of {samples} by gold", r => r.BestByGold), ($"best of {samples} by RM", r => r.BestByReward), ("fixable", r => r.Fixable));
}
