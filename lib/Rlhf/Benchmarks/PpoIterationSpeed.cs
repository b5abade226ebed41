using System.Diagnostics;
using Rlhf.Training;

namespace Rlhf.Benchmarks;

/// <summary>What one PPO iteration of the course default costs (medians over the timed iterations).</summary>
/// <param name="TotalSeconds">The whole <see cref="PpoTrainer.Iterate"/> call, rollout metrics and gold-judge logging included.</param>
/// <param name="GenerationSeconds">Sampling the responses.</param>
/// <param name="ScoringSeconds">Policy and reference log-probs, critic values, reward-model scores, rewards and GAE.</param>
/// <param name="UpdateSeconds">The PPO epochs (forward, backward, Adam).</param>
public sealed record PpoIterationCost(double TotalSeconds, double GenerationSeconds, double ScoringSeconds, double UpdateSeconds);

/// <summary>Times <see cref="PpoTrainer.Iterate"/> on the shipped SFT and reward checkpoints with <see cref="PpoOptions"/>' defaults.</summary>
public static class PpoIterationSpeed
{
    /// <summary>
    /// Loads the PPO setup of <paramref name="options"/> (the course default unless changed; nothing is written: no output
    /// folder), runs <paramref name="warmup"/> untimed iterations and <paramref name="runs"/> timed ones, and returns the
    /// median of each part. The iterations train the policy as a real run would, so later ones see a slightly different policy.
    /// </summary>
    public static PpoIterationCost Measure(PpoOptions options, int warmup, int runs)
    {
        if (runs < 1) throw new ArgumentOutOfRangeException(nameof(runs), runs, "must be at least 1");
        options = options with { Training = options.Training with { MaxSteps = Math.Max(options.Iterations, warmup + runs), CheckpointEvery = 0 }, OutputFolder = null };
        using var setup = new PpoSetup(options);
        for (int i = 0; i < warmup; i++) setup.Trainer.Iterate(i);
        var totals = new List<double>();
        var parts = new List<PpoIterationTimings>();
        for (int i = warmup; i < warmup + runs; i++)
        {
            var clock = Stopwatch.StartNew();
            setup.Trainer.Iterate(i);
            totals.Add(clock.Elapsed.TotalSeconds);
            parts.Add(setup.Trainer.LastTimings!);
        }
        return new PpoIterationCost(Timing.Median(totals), Timing.Median(parts.Select(p => p.GenerationSeconds).ToList()),
            Timing.Median(parts.Select(p => p.ScoringSeconds).ToList()), Timing.Median(parts.Select(p => p.UpdateSeconds).ToList()));
    }
}
