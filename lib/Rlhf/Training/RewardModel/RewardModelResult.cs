using Rlhf.Data;
using Rlhf.Models;

namespace Rlhf.Training;

/// <summary>One response of the SFT policy used to normalise the reward, with its reward before and after.</summary>
/// <param name="Prompt">A training prompt (from <c>rl_prompts.txt</c>).</param>
/// <param name="Response">The policy's sampled response, decoded without special tokens.</param>
/// <param name="RawReward">The trained network's score.</param>
/// <param name="Reward">The normalised reward: (raw - mean) / std.</param>
public sealed record NormalizationSample(string Prompt, string Response, double RawReward, double Reward);

/// <summary>What <see cref="RewardModelTraining.Run"/> returns.</summary>
/// <param name="Training">The shared loop's result: steps, history (training accuracy and margin per step, held-out metrics per evaluation).</param>
/// <param name="HeldOut">All held-out pairs scored by the final model (raw rewards), with accuracy against labels and gold.</param>
/// <param name="Normalization">The shift and scale stored beside the weights.</param>
/// <param name="Samples">The policy samples the normalisation was computed from.</param>
/// <param name="TrainingData">Load report of the training pairs (identical chosen/rejected pairs are kept and counted there).</param>
/// <param name="TruncatedPairs">Training and held-out pairs with a conversation cut to <see cref="RewardModelOptions.MaxLength"/>.</param>
/// <param name="OutputFolder">The reward checkpoint folder (load it with <see cref="Checkpoints.RewardModel.Load"/>).</param>
public sealed record RewardModelResult(
    TrainingResult Training, PreferenceEvaluation HeldOut, RewardNormalization Normalization,
    IReadOnlyList<NormalizationSample> Samples, LoadReport TrainingData, int TruncatedPairs, string OutputFolder);
