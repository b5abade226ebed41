namespace Rlhf.Training;

/// <summary>
/// The course's stages on a real GPT-2 small folder (<c>--preset gpt2-small</c>), with the hyperparameters the DPO paper and
/// TRL's GPT-2 examples use at that size instead of the course's tiny-model ones: SFT at learning rate 5e-6, the reward model
/// at 1e-5, DPO at 5e-7 with beta 0.1 and the paper's pure loss (no NLL term), PPO at 1.41e-5 (TRL's classic GPT-2 rate)
/// without the pretraining mix. Batches are 8 sequences accumulated to 32-64 per step (CPU memory); the chain is
/// <c>models/gpt2</c> -> <c>out/gpt2-sft</c> -> <c>out/gpt2-rm</c> / <c>out/gpt2-dpo</c> -> <c>out/gpt2-ppo</c>. Change the GPT-2
/// folder with <c>--set input_checkpoint=PATH</c>; on CPU every step of GPT-2 small takes seconds, so a whole stage is hours
/// (docs/scale.md says where to run it instead).
/// </summary>
public static class Gpt2SmallPreset
{
    /// <summary>The preset's name on the command line.</summary>
    public const string Name = "gpt2-small";

    /// <summary>Where the preset expects GPT-2 small (an HF folder: config.json, model.safetensors, vocab.json, merges.txt).</summary>
    public const string Gpt2Folder = "models/gpt2";

    /// <summary>SFT of GPT-2 small on the data folder's demonstrations: 5e-6, 32 sequences per step, 1,000 steps, 50 warm-up.</summary>
    public static SftOptions Sft { get; } = new()
    {
        InputCheckpoint = Gpt2Folder, OutputFolder = "out/gpt2-sft", MaxLength = 256, StoreAs = TorchSharp.torch.ScalarType.Float32,
        Training = new TrainingOptions
        {
            MaxSteps = 1000, BatchSize = 8, GradientAccumulationSteps = 4, LearningRate = 5e-6, WarmupSteps = 50, WeightDecay = 0,
            EvalEvery = 100, CheckpointEvery = 250,
        },
    };

    /// <summary>The reward model from the GPT-2 SFT checkpoint: 1e-5, 32 pairs per step, 1,000 steps.</summary>
    public static RewardModelOptions RewardModel { get; } = new()
    {
        InitFrom = "out/gpt2-sft", OutputFolder = "out/gpt2-rm", MaxLength = 256,
        Training = new TrainingOptions
        {
            MaxSteps = 1000, BatchSize = 8, GradientAccumulationSteps = 4, LearningRate = 1e-5, WarmupSteps = 50, WeightDecay = 0,
            EvalEvery = 100, CheckpointEvery = 250,
        },
    };

    /// <summary>DPO from the GPT-2 SFT checkpoint: the paper's loss (sft_weight 0), beta 0.1, 5e-7, 64 pairs per step, 150 warm-up.</summary>
    public static DpoOptions Dpo { get; } = new()
    {
        InputCheckpoint = "out/gpt2-sft", OutputFolder = "out/gpt2-dpo", Beta = 0.1, SftWeight = 0, MaxTrainPairs = 0,
        Training = new TrainingOptions
        {
            MaxSteps = 1000, BatchSize = 8, GradientAccumulationSteps = 8, LearningRate = 5e-7, WarmupSteps = 150, WeightDecay = 0,
            EvalEvery = 100, CheckpointEvery = 250,
        },
    };

    /// <summary>PPO from the GPT-2 SFT checkpoint against the GPT-2 reward model: 1.41e-5, kl_coef 0.05, 64 rollouts per iteration
    /// in 4 minibatches, 200 iterations, plain PPO (ptx.coef 0, as TRL).</summary>
    public static PpoOptions Ppo { get; } = new()
    {
        InputCheckpoint = "out/gpt2-sft", RewardCheckpoint = "out/gpt2-rm", OutputFolder = "out/gpt2-ppo",
        RolloutBatchSize = 64, NumMiniBatches = 4, PpoEpochs = 4, ResponseLength = 48, KlCoef = 0.05,
        Ptx = PpoOptions.DefaultPtx with { Coef = 0 },
        Training = PpoOptions.DefaultTraining with { MaxSteps = 200, LearningRate = 1.41e-5, CheckpointEvery = 25 },
    };

    /// <summary>The preset of one stage's options type, or null when <paramref name="name"/> is not a preset of it.</summary>
    public static T? For<T>(string name) where T : class =>
        name != Name ? null : (typeof(T) == typeof(SftOptions) ? Sft : typeof(T) == typeof(RewardModelOptions) ? RewardModel
            : typeof(T) == typeof(DpoOptions) ? Dpo : typeof(T) == typeof(PpoOptions) ? Ppo : (object?)null) as T;
}
