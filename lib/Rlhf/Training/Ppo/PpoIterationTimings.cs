namespace Rlhf.Training;

/// <summary>Where the wall-clock time of one PPO iteration went (<see cref="PpoTrainer.LastTimings"/>).</summary>
/// <param name="GenerationSeconds">Sampling the responses (the generation engine, KV cache).</param>
/// <param name="ScoringSeconds">Everything else in the rollout: log-probs of the policy and the reference, the critic's values,
/// the reward model's scores, per-token rewards and GAE.</param>
/// <param name="UpdateSeconds">The PPO epochs: forward, backward and Adam steps over the minibatches.</param>
public sealed record PpoIterationTimings(double GenerationSeconds, double ScoringSeconds, double UpdateSeconds)
{
    /// <summary>The whole iteration (the rollout metrics and KL-controller update add microseconds).</summary>
    public double TotalSeconds => GenerationSeconds + ScoringSeconds + UpdateSeconds;
}
