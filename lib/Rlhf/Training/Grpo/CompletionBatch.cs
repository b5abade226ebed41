using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>One generation batch as a reward function sees it: G consecutive rows per prompt.</summary>
/// <param name="Prompts">Each row's prompt text (the user's words, without the chat template).</param>
/// <param name="Completions">Each row's completion, decoded, without end-of-text.</param>
/// <param name="SequenceIds">Prompt and completion ids (B, P + N), prompts left-padded, completions right-padded.</param>
/// <param name="SequenceMask">1 on real prompt and kept completion tokens (B, P + N).</param>
/// <param name="PromptLength">P: columns of the prompt part.</param>
public sealed record CompletionBatch(IReadOnlyList<string> Prompts, IReadOnlyList<string> Completions, Tensor SequenceIds, Tensor SequenceMask, int PromptLength);

/// <summary>A reward for critic-free RL (TRL's reward functions): one number per completion, or null where it does not
/// apply (a checker that cannot check that prompt's task). A completion's reward is the weighted sum of the non-null ones.</summary>
public interface IRewardFunction
{
    /// <summary>The name in the metrics (<c>rewards/NAME/mean</c>).</summary>
    string Name { get; }

    /// <summary>One reward per row of <paramref name="batch"/>, null where this function has none. Called under no-grad.</summary>
    IReadOnlyList<double?> Score(CompletionBatch batch);
}

/// <summary>The reward model's (normalised) score of every completion, on the generated ids as PPO scores them.</summary>
public sealed class RewardModelReward(IRewardScorer scorer) : IRewardFunction
{
    /// <inheritdoc/>
    public string Name => "reward_model";

    /// <inheritdoc/>
    public IReadOnlyList<double?> Score(CompletionBatch batch)
    {
        using var scope = NewDisposeScope();
        var scores = scorer.Score(batch.SequenceIds, batch.SequenceMask, batch.PromptLength).to(ScalarType.Float64).cpu();
        return scores.data<double>().Select(s => (double?)s).ToArray();
    }
}
