using Rlhf.Models;
using Rlhf.Tests.Models;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

/// <summary>A PPO setup small enough for unit tests: tiny policy, reference and critic (the same seeded weights), twelve
/// random prompts, and a reward whose optimum is obvious (<see cref="LowTokenFraction"/>).</summary>
static class TinyPpo
{
    /// <summary>End-of-text and pad ids of <see cref="TinyModels.Config"/>'s vocabulary; ids below <see cref="LowIds"/> are rewarded.</summary>
    public const int EndOfText = 48, Pad = 49, LowIds = 24;

    /// <summary>Fraction of kept response tokens with ids below <see cref="LowIds"/>.</summary>
    public sealed class LowTokenFraction : IRewardScorer
    {
        /// <inheritdoc/>
        public Tensor Score(Tensor sequenceIds, Tensor sequenceMask, int promptLength)
        {
            var response = sequenceIds.narrow(1, promptLength, sequenceIds.shape[1] - promptLength);   // (B, N)
            var mask = sequenceMask.narrow(1, promptLength, sequenceIds.shape[1] - promptLength).to(ScalarType.Float32); // (B, N)
            return (response.lt(LowIds).to(ScalarType.Float32) * mask).sum(1) / mask.sum(1).clamp_min(1); // (B)
        }
    }

    /// <summary>The trainer and the models it holds; disposing frees them all.</summary>
    public sealed record Setup(PpoTrainer Trainer, Gpt Policy, Gpt Reference, ScalarHeadModel Critic) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose()
        {
            Trainer.Dispose();
            Policy.Dispose();
            Reference.Dispose();
            Critic.Dispose();
        }
    }

    /// <summary>Builds the setup (models disposed again if the trainer refuses the options).</summary>
    public static Setup Create(PpoOptions options, PretrainingText? pretraining = null, Func<string, int[], double>? gold = null)
    {
        var policy = TinyModels.Gpt(seed: 3);
        var reference = TinyModels.Gpt(seed: 3);
        torch.manual_seed(5);
        var critic = new ScalarHeadModel(TinyModels.Config);
        critic.LoadBackbone(policy);
        var random = new Random(11);
        var prompts = Enumerable.Range(0, 12)
            .Select(i => new PpoPrompt($"prompt {i}", Enumerable.Range(0, 2 + i % 4).Select(_ => random.Next(40)).ToArray()))
            .ToList();
        try
        {
            var trainer = new PpoTrainer(options, policy, reference, critic, new LowTokenFraction(), prompts, EndOfText, Pad, gold, pretraining);
            return new Setup(trainer, policy, reference, critic);
        }
        catch
        {
            policy.Dispose();
            reference.Dispose();
            critic.Dispose();
            throw;
        }
    }
}
