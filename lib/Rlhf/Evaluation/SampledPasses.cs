using Rlhf.Checkpoints;
using Rlhf.Generation;
using Rlhf.Models;

namespace Rlhf.Evaluation;

/// <summary>Several samples per prompt, one evaluation pass per sampler seed (1..N), each sample judged by gold and, with a
/// reward model, scored by it on its generated ids: what <see cref="Headroom"/> and <see cref="BestOfN"/> choose among.</summary>
public static class SampledPasses
{
    /// <summary>Pass s (0-based) holds one sample per prompt of <paramref name="prompts"/>, drawn at
    /// <paramref name="temperature"/> with seed s + 1 and <paramref name="evaluation"/>'s other settings.</summary>
    public static IReadOnlyList<IReadOnlyList<PolicySample>> Draw(ICausalLanguageModel policy, Text.TextTokenizer tokenizer,
        PolicyEvaluationOptions evaluation, IReadOnlyList<string> prompts, int samples, double temperature, RewardModel? rewardModel) =>
        Enumerable.Range(1, samples).Select(seed =>
        {
            var sampling = evaluation with { Generation = evaluation.Generation with { Sampling = new SamplingOptions { Temperature = temperature }, Seed = seed } };
            return new PolicyEvaluator(tokenizer, sampling).Evaluate($"sample {seed}", policy, prompts, reference: null, rewardModel).Samples;
        }).ToList();
}
