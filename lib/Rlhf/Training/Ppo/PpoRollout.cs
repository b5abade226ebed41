using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// One rollout batch and everything PPO computed from it before optimising: the tensors the PPO epochs read again and
/// again. They are created outside any step's dispose scope and owned here: <see cref="Dispose"/> frees them.
/// Columns: prompts are left-padded to <see cref="PromptLength"/>, responses right-padded after them.
/// </summary>
public sealed class PpoRollout : IDisposable
{
    /// <summary>The prompts of the batch, in row order.</summary>
    public required IReadOnlyList<PpoPrompt> Prompts { get; init; }

    /// <summary>Each row's generated ids up to and including end-of-text (what the gold judge reads, decoded).</summary>
    public required IReadOnlyList<int[]> Responses { get; init; }

    /// <summary>P: columns of the (left-padded) prompt part.</summary>
    public required int PromptLength { get; init; }

    /// <summary>Prompt and response ids (B, P + N).</summary>
    public required Tensor SequenceIds { get; init; }

    /// <summary>1 on real prompt and kept response tokens (B, P + N).</summary>
    public required Tensor SequenceMask { get; init; }

    /// <summary>1 on response tokens up to and including the first end-of-text (B, N), float.</summary>
    public required Tensor ResponseMask { get; init; }

    /// <summary>Log-probs of the sampled tokens as the generation engine reported them (B, N).</summary>
    public required Tensor SampledLogProbs { get; init; }

    /// <summary>log pi_old: the same log-probs recomputed by a full forward pass of the policy at temperature T (B, N).</summary>
    public required Tensor LogProbs { get; init; }

    /// <summary>log pi_ref of the same tokens under the frozen reference at temperature T (B, N).</summary>
    public required Tensor ReferenceLogProbs { get; init; }

    /// <summary>The critic's values of the states before each response token (B, N).</summary>
    public required Tensor Values { get; init; }

    /// <summary>The scorer's own scores (reward model or ensemble) before any penalty (B).</summary>
    public required Tensor RawScores { get; init; }

    /// <summary>Scores PPO optimises: <see cref="RawScores"/> after the missing end-of-text and length penalties (B).</summary>
    public required Tensor Scores { get; init; }

    /// <summary>Entropy of the policy's sampling distribution (temperature T) at each response position (B, N), 0 after the response.</summary>
    public required Tensor Entropy { get; init; }

    /// <summary>Whether each response ended with end-of-text (B, bool).</summary>
    public required Tensor Ended { get; init; }

    /// <summary>Per-token KL estimate (k1 or k3) used in the reward (B, N), 0 after the response.</summary>
    public required Tensor Kl { get; init; }

    /// <summary>The KL part of the reward, -beta * kl (B, N).</summary>
    public required Tensor NonScoreRewards { get; init; }

    /// <summary>Per-token rewards: -beta * kl everywhere plus the score at the last token (B, N).</summary>
    public required Tensor Rewards { get; init; }

    /// <summary>GAE advantages (whitened when the options say so) (B, N).</summary>
    public required Tensor Advantages { get; init; }

    /// <summary>Value targets: unwhitened advantages + values (B, N).</summary>
    public required Tensor Returns { get; init; }

    /// <summary>The KL coefficient beta used for the rewards.</summary>
    public required double KlCoef { get; init; }

    /// <summary>Seconds spent sampling the responses.</summary>
    public double GenerationSeconds { get; init; }

    /// <summary>Seconds spent on everything else in the rollout (log-probs, values, scores, rewards, advantages).</summary>
    public double ScoringSeconds { get; init; }

    /// <summary>Rows in the batch.</summary>
    public int BatchSize => Prompts.Count;

    /// <summary>Frees every tensor.</summary>
    public void Dispose()
    {
        foreach (var t in new[] { SequenceIds, SequenceMask, ResponseMask, SampledLogProbs, LogProbs, ReferenceLogProbs, Values, RawScores, Scores, Entropy, Ended, Kl,
                     NonScoreRewards, Rewards, Advantages, Returns })
            t.Dispose();
    }
}
