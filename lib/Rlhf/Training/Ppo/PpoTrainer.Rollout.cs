using System.Diagnostics;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>PPO's rollout (steps 1-5): sample, score, log-probs, values, per-token rewards and advantages.</summary>
public sealed partial class PpoTrainer
{
    /// <summary>
    /// Steps 1-5 of the algorithm for iteration <paramref name="iteration"/>: sample, score, log-probs and values,
    /// per-token rewards, advantages. The returned tensors belong to the caller.
    /// </summary>
    public PpoRollout Rollout(int iteration)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batchPrompts = PromptsFor(iteration);
        var generationOptions = new GenerationOptions
        {
            Sampling = new SamplingOptions { Temperature = options.Temperature },
            MaxNewTokens = options.ResponseLength,
            Seed = options.Seed * RandomStreams.PpoRolloutSeedStride + iteration,
        };
        using var generated = engine.Generate(batchPrompts.Select(p => (IReadOnlyList<int>)p.Ids).ToList(), generationOptions, endOfTextId, padId);
        int promptLength = (int)generated.PromptIds.shape[1];
        double generationSeconds = clock.Elapsed.TotalSeconds;

        var responseMask = PpoRewards.ResponseMask(generated.ResponseIds, endOfTextId);                  // (B, N)
        var responseIds = generated.ResponseIds.masked_fill(responseMask.eq(0), padId);                  // (B, N)
        var sequenceIds = cat([generated.PromptIds, responseIds], 1);                                     // (B, P + N)
        var sequenceMask = cat([generated.PromptMask, responseMask], 1);                                  // (B, P + N)
        var mask = responseMask.to(ScalarType.Float32);                                                   // (B, N)

        var (policyLogProbs, policyEntropy) = TokenLogProbs.OfResponse(policy, sequenceIds, sequenceMask, promptLength, options.Temperature, withEntropy: true); // (B, N) each
        var logProbs = policyLogProbs * mask;                                                                                            // (B, N)
        var entropy = policyEntropy! * mask;                                                                                             // (B, N)
        var referenceLogProbs = TokenLogProbs.OfResponse(reference, sequenceIds, sequenceMask, promptLength, options.Temperature).LogProbs * mask; // (B, N)
        var values = ResponseValues(critic, sequenceIds, sequenceMask, promptLength) * mask;                                            // (B, N)

        var ended = PpoRewards.EndedWithEndOfText(responseIds, responseMask, endOfTextId);                // (B)
        var rawScores = scorer.Score(sequenceIds, sequenceMask, promptLength).to(ScalarType.Float32);    // (B)
        var scores = PpoRewards.PenalizeUnfinished(rawScores, ended, options.MissingEosPenalty);          // (B)
        if (options.LengthPenalty > 0) scores = PpoRewards.PenalizeLength(scores, mask, options.LengthPenalty); // (B)

        double klCoef = klController.KlCoef;
        var kl = (options.KlEstimator == KlEstimator.K3
            ? KlEstimators.K3(logProbs, referenceLogProbs)
            : KlEstimators.K1(logProbs, referenceLogProbs)) * mask;                                     // (B, N)
        var (rewards, nonScoreRewards) = PpoRewards.TokenRewards(kl, scores, responseMask, klCoef);         // (B, N)
        if (options.WhitenRewards) rewards = MaskedStatistics.Whiten(rewards, mask, shiftMean: false);
        var (advantages, returns) = GeneralizedAdvantageEstimation.Compute(rewards, values, mask, options.Gamma, options.Lam); // (B, N)
        if (options.WhitenAdvantages) advantages = MaskedStatistics.Whiten(advantages, mask);

        var responses = ResponseRows(responseIds, responseMask);
        return new PpoRollout
        {
            Prompts = batchPrompts,
            Responses = responses,
            PromptLength = promptLength,
            SequenceIds = sequenceIds.MoveToOuterDisposeScope(),
            SequenceMask = sequenceMask.MoveToOuterDisposeScope(),
            ResponseMask = mask.MoveToOuterDisposeScope(),
            SampledLogProbs = (generated.LogProbs * mask).MoveToOuterDisposeScope(),
            LogProbs = logProbs.MoveToOuterDisposeScope(),
            ReferenceLogProbs = referenceLogProbs.MoveToOuterDisposeScope(),
            Values = values.MoveToOuterDisposeScope(),
            RawScores = rawScores.MoveToOuterDisposeScope(),
            Scores = scores.MoveToOuterDisposeScope(),
            Entropy = entropy.MoveToOuterDisposeScope(),
            Ended = ended.MoveToOuterDisposeScope(),
            Kl = kl.MoveToOuterDisposeScope(),
            NonScoreRewards = nonScoreRewards.MoveToOuterDisposeScope(),
            Rewards = rewards.MoveToOuterDisposeScope(),
            Advantages = advantages.MoveToOuterDisposeScope(),
            Returns = returns.MoveToOuterDisposeScope(),
            KlCoef = klCoef,
            GenerationSeconds = generationSeconds,
            ScoringSeconds = clock.Elapsed.TotalSeconds - generationSeconds,
        };
    }

    /// <summary>The critic's values (B, N) of the states before each response token: its output at the column before it.</summary>
    public static Tensor ResponseValues(ScalarHeadModel critic, Tensor sequenceIds, Tensor sequenceMask, int promptLength)
    {
        long responseLength = sequenceIds.shape[1] - promptLength;
        return critic.Values(sequenceIds, sequenceMask).narrow(1, promptLength - 1, responseLength).to(ScalarType.Float32); // (B, N)
    }

    /// <summary>
    /// TRL-named statistics of a rollout: objective/scores (mean score after the end-of-text penalty), objective/kl (mean
    /// per-sequence sum of the KL estimate), objective/non_score_reward (mean per-sequence sum of -beta * kl),
    /// objective/rlhf_reward (their sum), objective/entropy (mean per-sequence sum of -log pi, TRL's estimate),
    /// response/length, response/ended (fraction ending with end-of-text), and gold/score when a gold judge is given; and
    /// for notebook 07's pitfalls: objective/rm_score (the scorer's mean score before the end-of-text and length penalties),
    /// response/distinct_2 (distinct bigrams / all bigrams over the batch's responses, Li et al. 2016) and response/entropy
    /// (mean entropy in nats of the sampling distribution at temperature T per response token): diversity, which falls
    /// when the policy collapses onto a few answers.
    /// </summary>
    public Dictionary<string, double> RolloutMetrics(PpoRollout rollout)
    {
        using var scope = NewDisposeScope();
        double scores = rollout.Scores.mean().item<float>();
        double nonScore = rollout.NonScoreRewards.sum(1).mean().item<float>();
        var metrics = new Dictionary<string, double>
        {
            ["objective/scores"] = scores,
            ["objective/kl"] = rollout.Kl.sum(1).mean().item<float>(),
            ["objective/non_score_reward"] = nonScore,
            ["objective/rlhf_reward"] = scores + nonScore,
            ["objective/entropy"] = (-rollout.LogProbs * rollout.ResponseMask).sum(1).mean().item<float>(),
            ["response/length"] = rollout.ResponseMask.sum(1).mean().item<float>(),
            ["response/ended"] = rollout.Ended.to(ScalarType.Float32).mean().item<float>(),
            ["objective/rm_score"] = rollout.RawScores.mean().item<float>(),
            ["response/distinct_2"] = Evaluation.Statistics.DistinctN(rollout.Responses, 2),
            ["response/entropy"] = MaskedStatistics.Mean(rollout.Entropy, rollout.ResponseMask).item<float>(),
        };
        if (goldScore is not null) // NaN for prompts the gold judge does not know (a user's own prompts): left out of the mean
        {
            var judged = rollout.Prompts.Select((p, i) => goldScore(p.Text, rollout.Responses[i])).Where(double.IsFinite).ToList();
            if (judged.Count > 0) metrics["gold/score"] = judged.Average();
        }
        return metrics;
    }

    /// <summary>The prompts of iteration <paramref name="iteration"/> (<see cref="PromptSchedule"/>).</summary>
    public IReadOnlyList<PpoPrompt> PromptsFor(int iteration) => PromptSchedule.Take(prompts, options.Seed, iteration, options.RolloutBatchSize);

    internal static List<int[]> ResponseRows(Tensor responseIds, Tensor responseMask)
    {
        var ids = responseIds.cpu().to(ScalarType.Int32).data<int>().ToArray();
        var mask = responseMask.cpu().to(ScalarType.Int32).data<int>().ToArray();
        int n = (int)responseIds.shape[1];
        return Enumerable.Range(0, (int)responseIds.shape[0])
            .Select(b => Enumerable.Range(0, n).Where(t => mask[b * n + t] == 1).Select(t => ids[b * n + t]).ToArray()).ToList();
    }
}
