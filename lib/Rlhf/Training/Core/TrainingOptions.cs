using System.Text.Json.Serialization;

namespace Rlhf.Training;

/// <summary>
/// The optimisation settings every stage shares (pretrain, SFT, reward model, DPO). Each stage's options record
/// holds one of these as <c>Training</c> with its own defaults; <c>--set training.learning_rate=1e-4</c> (or the
/// unique leaf name, <c>--set learning_rate=1e-4</c>) changes it from the CLI.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Seed for weights, data order and dropout. Same seed, same numbers (on CPU).</summary>
    public long Seed { get; init; } = 1234;

    /// <summary>Optimizer steps to run in total.</summary>
    public int MaxSteps { get; init; } = 300;

    /// <summary>Sequences (or pairs) per micro-batch.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Micro-batches per optimizer step; the loss is normalised by the loss tokens of all of them together.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Peak learning rate of AdamW.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Linear warm-up steps before the cosine decay.</summary>
    public int WarmupSteps { get; init; } = 20;

    /// <summary>The cosine decays to this fraction of the peak rate.</summary>
    public double MinLearningRateRatio { get; init; } = 0.1;

    /// <summary>AdamW decoupled weight decay (Loshchilov and Hutter 2019).</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>AdamW beta1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW beta2 (0.95 as in GPT-3 / nanoGPT for small-batch stability).</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>AdamW epsilon, added to the root of the second moment (PyTorch's default 1e-8).</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Clip the global gradient norm to this value (0 disables clipping).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Evaluate every N steps (and at the end); 0 evaluates only at the end.</summary>
    public int EvalEvery { get; init; } = 50;

    /// <summary>Write a resumable checkpoint every N steps (and at the end); 0 writes only the final one.</summary>
    public int CheckpointEvery { get; init; } = 0;

    /// <summary>Folder for TensorBoard event files; null writes none.</summary>
    public string? LogDirectory { get; init; }

    /// <summary>Throws naming the first invalid field.</summary>
    public void Validate()
    {
        Require(MaxSteps > 0, nameof(MaxSteps), "must be positive");
        Require(BatchSize > 0, nameof(BatchSize), "must be positive");
        Require(GradientAccumulationSteps > 0, nameof(GradientAccumulationSteps), "must be positive");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), "must be a positive number");
        Require(WarmupSteps >= 0, nameof(WarmupSteps), "must be 0 or more");
        Require(MinLearningRateRatio is >= 0 and <= 1, nameof(MinLearningRateRatio), "must be in [0, 1]");
        Require(WeightDecay >= 0, nameof(WeightDecay), "must be 0 or more");
        Require(Beta1 is >= 0 and < 1, nameof(Beta1), "must be in [0, 1)");
        Require(Beta2 is >= 0 and < 1, nameof(Beta2), "must be in [0, 1)");
        Require(AdamEpsilon > 0 && double.IsFinite(AdamEpsilon), nameof(AdamEpsilon), "must be a positive number");
        Require(MaxGradNorm >= 0, nameof(MaxGradNorm), "must be 0 (off) or positive");
        Require(EvalEvery >= 0, nameof(EvalEvery), "must be 0 or more");
        Require(CheckpointEvery >= 0, nameof(CheckpointEvery), "must be 0 or more");
    }

    internal static void Require(bool condition, string field, string message)
    {
        if (!condition) throw new ArgumentException($"training option '{OptionsBinder.JsonName(field)}' {message}.");
    }

    /// <summary>Tokens (or pairs) that one optimizer step consumes, in sequences.</summary>
    [JsonIgnore]
    public int SequencesPerStep => BatchSize * GradientAccumulationSteps;
}
