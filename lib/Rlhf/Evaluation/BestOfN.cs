using Rlhf.Checkpoints;
using Rlhf.Generation;
using Rlhf.Models;

namespace Rlhf.Evaluation;

/// <summary>What Best-of-N reached on the held-out prompts.</summary>
/// <param name="N">Samples the reward model chose from.</param>
/// <param name="Gold">Gold score of the chosen samples (mean ± s.e. over prompts).</param>
/// <param name="RewardScore">The reward model's score of the chosen samples (mean ± s.e.).</param>
/// <param name="AnalyticKl">log N - (N - 1) / N nats: the KL of Best-of-N to the policy when no two samples tie.</param>
/// <param name="MeasuredKl">The exact KL of Best-of-N over each prompt's empirical distribution of its samples (ties merged), mean over prompts.</param>
/// <param name="Chosen">Each prompt's chosen sample.</param>
public sealed record BestOfNResult(int N, Estimate Gold, Estimate RewardScore, double AnalyticKl, double MeasuredKl, IReadOnlyList<PolicySample> Chosen)
{
    /// <summary>This result as a point of the reward-KL frontier (method <c>best-of-n</c>, KL the measured one; Best-of-N
    /// has no checkpoint folder). The KL's standard error is not defined for the formula: 0.</summary>
    public FrontierPoint ToFrontierPoint() => new("best-of-n", $"N={N}", N, "", MeasuredKl, 0, Gold.Mean, Gold.StandardError,
        RewardScore.Mean, RewardScore.StandardError, Chosen.Count);
}

/// <summary>
/// Best-of-N (rejection sampling; Nakano et al. 2021, Stiennon et al. 2020): sample N answers, keep the one the reward
/// model scores highest. No training: the baseline every RL method must beat at the same KL.
/// </summary>
public static class BestOfN
{
    /// <summary>KL(pi_BoN || pi) = log N - (N - 1) / N (Stiennon et al. 2020, app. G.3; Beirami et al. 2024 show it is an
    /// upper bound, reached when no two samples tie).</summary>
    public static double AnalyticKl(int n) => n < 1 ? throw new ArgumentOutOfRangeException(nameof(n), n, "N must be at least 1") : Math.Log(n) - (n - 1.0) / n;

    /// <summary>
    /// The exact KL of Best-of-<paramref name="n"/> drawn from the empirical distribution of <paramref name="samples"/>
    /// (each sample 1/M; identical texts merged into one outcome): sorted by reward, outcome j of cumulative probability
    /// F_j is chosen with probability F_j^N - F_(j-1)^N, and KL = sum p_j log(p_j / q_j). With many distinct samples it
    /// approaches <see cref="AnalyticKl"/>; ties (the same answer sampled again) make it smaller.
    /// </summary>
    public static double EmpiricalKl(IReadOnlyList<(string Text, double Reward)> samples, int n)
    {
        if (samples.Count == 0) throw new ArgumentException("no samples", nameof(samples));
        var outcomes = samples.GroupBy(s => s.Text).Select(g => (Reward: g.First().Reward, Probability: g.Count() / (double)samples.Count))
            .OrderBy(o => o.Reward).ToList();
        double kl = 0, below = 0;
        foreach (var (_, q) in outcomes)
        {
            double p = Math.Pow(below + q, n) - Math.Pow(below, n);
            if (p > 0) kl += p * Math.Log(p / q);
            below += q;
        }
        return kl;
    }

    /// <summary>
    /// Samples <paramref name="samples"/> answers per held-out prompt of <paramref name="evaluation"/> at
    /// <paramref name="temperature"/> (seeds 1..M), scores each with <paramref name="rewardModel"/> on its generated ids
    /// and the gold judge, keeps the first <paramref name="n"/> samples' highest-scored one, and measures the KL over all
    /// M (at least N; more makes the measured KL closer to the distribution's).
    /// </summary>
    public static BestOfNResult Measure(ICausalLanguageModel policy, Text.TextTokenizer tokenizer, RewardModel rewardModel,
        PolicyEvaluationOptions evaluation, int n, int samples, double temperature = 1.0) =>
        MeasureMany(policy, tokenizer, rewardModel, evaluation, [n], samples, temperature)[0];

    /// <summary><see cref="Measure"/> for several N on the same samples (each N chooses among the first N).</summary>
    public static IReadOnlyList<BestOfNResult> MeasureMany(ICausalLanguageModel policy, Text.TextTokenizer tokenizer, RewardModel rewardModel,
        PolicyEvaluationOptions evaluation, IReadOnlyList<int> ns, int samples, double temperature = 1.0)
    {
        if (ns.Count == 0 || ns.Any(n => n < 1 || n > samples))
            throw new ArgumentException($"Best-of-N needs 1 <= N <= samples ({samples}); got N = {string.Join(", ", ns)}", nameof(ns));
        var prompts = new PolicyEvaluator(tokenizer, evaluation).LoadPrompts();
        var passes = SampledPasses.Draw(policy, tokenizer, evaluation, prompts, samples, temperature, rewardModel);
        return ns.Select(n =>
        {
            var chosen = new List<PolicySample>();
            var kls = new List<double>();
            for (int i = 0; i < prompts.Count; i++)
            {
                var drawn = passes.Select(p => p[i]).ToList();
                chosen.Add(drawn.Take(n).MaxBy(s => s.RewardScore!.Value)!);
                kls.Add(EmpiricalKl(drawn.Select(s => (s.Response, s.RewardScore!.Value)).ToList(), n));
            }
            return new BestOfNResult(n, Estimate.Of(chosen.Select(s => s.GoldScore).ToList()), Estimate.Of(chosen.Select(s => s.RewardScore!.Value).ToList()),
                AnalyticKl(n), kls.Average(), chosen);
        }).ToList();
    }
}
