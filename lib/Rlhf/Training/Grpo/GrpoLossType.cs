namespace Rlhf.Training;

/// <summary>How GRPO averages its per-token losses (TRL's <c>loss_type</c>); they differ in how a long completion weighs against a short one.</summary>
public enum GrpoLossType
{
    /// <summary>Mean over each completion's tokens, then over completions (Shao et al. 2024, eq. 3): every completion weighs
    /// the same, so a token of a short one counts more (the length bias Liu et al. 2025 point out).</summary>
    Grpo,

    /// <summary>Mean over every completion token of the batch: every token weighs the same.</summary>
    Bnpo,

    /// <summary>Sum over tokens divided by a constant, completions x max_completion_length (Dr. GRPO, Liu et al. 2025): no
    /// length normalisation at all.</summary>
    DrGrpo,

    /// <summary>Token-level mean over the whole generation batch (DAPO, Yu et al. 2025; TRL's default). One optimizer step
    /// here takes the whole batch, so it equals <see cref="Bnpo"/>; in TRL they part when a batch is split into
    /// gradient-accumulation micro-batches.</summary>
    Dapo,
}

/// <summary>How GRPO scales the group-relative advantages (TRL's <c>scale_rewards</c>).</summary>
public enum RewardScaling
{
    /// <summary>Divide by the standard deviation of the completion's own group (Shao et al. 2024).</summary>
    Group,

    /// <summary>Divide by the standard deviation of every reward in the batch (Hu et al. 2025, REINFORCE++-style).</summary>
    Batch,

    /// <summary>Do not divide (Dr. GRPO: dividing by a small group std makes near-solved prompts weigh most).</summary>
    None,
}
