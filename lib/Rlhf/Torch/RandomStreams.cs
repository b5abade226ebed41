namespace Rlhf.Torch;

/// <summary>
/// The one table of random-stream ids: <see cref="Seeding.Derive"/>(seed, stream + k) gives each purpose its own
/// reproducible generator, and the streams start a million apart so that no two purposes ever draw the same numbers
/// (k stays below a million: steps, epochs, passes, iterations). Every offset the library uses is here.
/// </summary>
public static class RandomStreams
{
    /// <summary>Pretraining windows of step k (pretrain stage), and the data order of pass k (SFT epochs, DPO passes).</summary>
    public const int DataOrder = 0;

    /// <summary>PPO: minibatch order of iteration k. Reward model: pair order of epoch k.</summary>
    public const int PpoMinibatchOrder = 1_000_000, RewardModelPairOrder = 1_000_000;

    /// <summary>PPO, GRPO, RLOO: rollout prompt order of pass k over the prompts. SFT: pretraining-mix windows of micro-batch k.</summary>
    public const int PpoPromptOrder = 2_000_000, SftPretrainingMix = 2_000_000;

    /// <summary>PPO-ptx: pretraining windows of update k.</summary>
    public const int PpoPretrainingWindows = 3_000_000;

    /// <summary>Reward model: pretraining-mix windows of micro-batch k.</summary>
    public const int RewardModelPretrainingMix = 4_000_000;

    /// <summary>DPO: pretraining-mix windows of micro-batch k.</summary>
    public const int DpoPretrainingMix = 5_000_000;

    /// <summary>The SFT dataset's train/held-out split.</summary>
    public const int SftSplit = 0x5F7;

    /// <summary>PPO rollouts and GRPO/RLOO generation batches: the sampler's seed of step k is seed * this + k.</summary>
    public const int PpoRolloutSeedStride = 100_003;
}
