using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>What PPO maximises: one score per (prompt, response) sequence. The course uses the trained reward model;
/// tests use synthetic rewards whose optimum is known.</summary>
public interface IRewardScorer
{
    /// <summary>Scores (B) of <paramref name="sequenceIds"/> (B, P + N): left-padded prompts in the first
    /// <paramref name="promptLength"/> columns, right-padded responses after them; <paramref name="sequenceMask"/> (B, P + N)
    /// is 1 on real tokens. Called under no-grad.</summary>
    Tensor Score(Tensor sequenceIds, Tensor sequenceMask, int promptLength);
}
