using Rlhf.Models;
using Rlhf.Plots;
using Rlhf.Text;

namespace Rlhf.Evaluation;

/// <summary>
/// The PPO stage's "done when" numbers on held-out prompts: the gold judge's verdicts for the reference (SFT) and the PPO
/// policy, the PPO policy's gold win rate against the reference (prompt by prompt, ties count half), and the KL from the
/// reference of what the policy samples (per-sequence sum of log pi - log pi_ref at the rollout temperature).
/// </summary>
/// <param name="Reference">The reference policy's evaluation.</param>
/// <param name="Policy">The PPO policy's evaluation, on the same prompts.</param>
/// <param name="GoldWinRate">Share of prompts where the policy's gold score beats the reference's (ties half).</param>
/// <param name="KlToReference">Mean per-sequence KL(policy || reference) of sampled responses, with its standard error.</param>
public sealed record PpoComparison(PolicyEvaluation Reference, PolicyEvaluation Policy, double GoldWinRate, Estimate KlToReference)
{
    /// <summary>
    /// Evaluates both policies with <paramref name="evaluation"/> and measures the KL on the same prompts from responses the
    /// policy samples at <paramref name="temperature"/> (at most <paramref name="responseLength"/> tokens, seed <paramref name="seed"/>).
    /// <paramref name="referenceEvaluation"/>, when given, is the reference's evaluation with the same settings (a seed sweep
    /// evaluates the reference once: greedy answers do not depend on the PPO seed). <paramref name="policyName"/> names the
    /// policy in the tables (<c>grpo</c>, <c>rloo</c> for the critic-free stages).
    /// </summary>
    public static PpoComparison Measure(Gpt policy, Gpt reference, TextTokenizer tokenizer, PolicyEvaluationOptions evaluation,
        double temperature, int responseLength, long seed, PolicyEvaluation? referenceEvaluation = null, string policyName = "ppo")
    {
        var evaluator = new PolicyEvaluator(tokenizer, evaluation);
        var prompts = evaluator.LoadPrompts();
        var referenceResult = referenceEvaluation ?? evaluator.Evaluate("sft", reference, prompts);
        if (!referenceResult.Samples.Select(s => s.Prompt).SequenceEqual(prompts))
            throw new ArgumentException("the reference evaluation was made on other prompts than these settings load", nameof(referenceEvaluation));
        var policyResult = evaluator.Evaluate(policyName, policy, prompts);
        double winRate = Statistics.WinRate(policyResult.Samples.Select(s => s.GoldScore).ToList(), referenceResult.Samples.Select(s => s.GoldScore).ToList());
        var kl = Evaluation.KlToReference.OnPrompts(policy, reference, tokenizer, prompts, temperature, responseLength, seed, evaluation.BatchSize);
        return new PpoComparison(referenceResult, policyResult, winRate, Estimate.Of(kl));
    }

    /// <summary>Mean gold score of each policy, the win rate and the KL, as a table.</summary>
    public HtmlTable ToTable() => new(
        $"PPO vs SFT on {Policy.Samples.Count} held-out prompts ({Policy.Sampling})", ["measure", "value"],
        [
            ["gold score, sft", Reference.Metrics.GoldScore.ToString()],
            ["gold score, ppo", Policy.Metrics.GoldScore.ToString()],
            ["gold win rate of ppo vs sft (ties half)", GoldWinRate],
            ["KL(ppo || sft) per response, nats", KlToReference.ToString()],
        ]);
}
