using Rlhf.Checkpoints;
using Rlhf.Models;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>PPO's reward from a trained <see cref="RewardModel"/>: its normalised score at each sequence's last real token
/// (the end-of-text when the response finished), exactly as the reward model was trained to read a conversation.</summary>
public sealed class RewardModelScorer(RewardModel rewardModel) : IRewardScorer
{
    /// <inheritdoc />
    public Tensor Score(Tensor sequenceIds, Tensor sequenceMask, int promptLength) => rewardModel.Score(sequenceIds, sequenceMask); // (B)
}
