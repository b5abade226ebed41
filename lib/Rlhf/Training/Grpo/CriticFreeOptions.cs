using System.Text.Json.Serialization;

namespace Rlhf.Training;

/// <summary>
/// What GRPO and RLOO share (names and defaults follow TRL's <c>GRPOConfig</c> and <c>RLOOConfig</c>, scaled to the
/// course's tiny models where said). One step of the shared loop = one generation batch: <c>training.batch_size</c>
/// completions, <see cref="NumGenerations"/> per prompt, then <see cref="NumIterations"/> optimizer steps on it.
/// </summary>
public abstract record CriticFreeOptions
{
    /// <summary>
    /// The loop's settings: <c>seed</c>, <c>max_steps</c> (generation batches), <c>batch_size</c> (completions per batch,
    /// TRL's <c>per_device_train_batch_size</c>; a multiple of num_generations), <c>learning_rate</c> (decayed linearly to
    /// 0, TRL's default scheduler), <c>max_grad_norm</c>, Adam's betas and epsilon, <c>checkpoint_every</c>, <c>log_directory</c>.
    /// </summary>
    public TrainingOptions Training { get; init; } = DefaultTraining;

    /// <summary>
    /// 40 batches of 64 completions (8 prompts x 8), learning rate 1e-4 (TRL's 1e-6 is for billion-parameter models; the
    /// course's PPO uses 1e-4 too), no weight decay, gradient norm clipped to 1, Adam epsilon 1e-5, seed 1234.
    /// </summary>
    public static TrainingOptions DefaultTraining { get; } = new()
    {
        Seed = 1234, MaxSteps = 40, BatchSize = 64, LearningRate = 1e-4, Beta1 = 0.9, Beta2 = 0.999, AdamEpsilon = 1e-5, MaxGradNorm = 1.0,
        WeightDecay = 0, WarmupSteps = 0, EvalEvery = 0, CheckpointEvery = 0,
    };

    /// <summary>The stage's name in messages and checkpoints: grpo or rloo.</summary>
    [JsonIgnore]
    public abstract string StageName { get; }

    /// <summary>Completions sampled per prompt, G: the group each completion is compared with.</summary>
    public virtual int NumGenerations { get; init; } = 8;

    /// <summary>Most tokens per completion (TRL <c>max_completion_length</c>; 32 as the course's PPO <c>response_length</c>).
    /// A completion that reaches it without end-of-text is truncated.</summary>
    public int MaxCompletionLength { get; init; } = 32;

    /// <summary>Sampling temperature of the completions; the training log-probs divide the logits by the same T. Default 1 (TRL).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>KL coefficient to the frozen reference (GRPO: a k3 term in the loss; RLOO: the sequence's k1 KL subtracted
    /// from its reward). 0 loads no reference model.</summary>
    public virtual double Beta { get; init; }

    /// <summary>Lower clip range of the ratio, epsilon (0.2).</summary>
    public double Epsilon { get; init; } = 0.2;

    /// <summary>Upper clip range; null = <see cref="Epsilon"/>. DAPO's "clip-higher" uses 0.28.</summary>
    public double? EpsilonHigh { get; init; }

    /// <summary>How the per-token losses are averaged (TRL's default dapo).</summary>
    public GrpoLossType LossType { get; init; } = GrpoLossType.Dapo;

    /// <summary>Optimizer steps per generation batch (TRL's mu). With 1 the ratio is exactly 1 and the clip never binds.</summary>
    public int NumIterations { get; init; } = 1;

    /// <summary>Leave completions that never produced end-of-text out of the loss (DAPO's overlong filtering).</summary>
    public bool MaskTruncatedCompletions { get; init; }

    /// <summary>The rewards summed into each completion's reward: <c>reward_model</c> (the reward model's normalised score)
    /// and/or <c>verifiable</c> (the world's own checkers for arithmetic, letter counts and reversals, on training prompts
    /// only; other prompts get none, and a completion scored by no function gets 0).</summary>
    public IReadOnlyList<string> RewardFuncs { get; init; } = ["reward_model"];

    /// <summary>Weight of each of <see cref="RewardFuncs"/>; null = 1 each.</summary>
    public IReadOnlyList<double>? RewardWeights { get; init; }

    /// <summary>Train only on the prompts of these TinyWorld task families (e.g. <c>["arithmetic", "count_letter",
    /// "reverse_word"]</c>: an RLVR dataset of checkable problems, as DeepSeek-R1's maths and code prompts); empty = every
    /// prompt of <c>rl_prompts.txt</c>.</summary>
    public IReadOnlyList<World.TaskKind> PromptKinds { get; init; } = [];

    /// <summary>TinyWorld folder with <c>rl_prompts.txt</c> (training prompts) and <c>eval_prompts.txt</c> (held-out: the
    /// verifiable reward refuses to score them).</summary>
    public string DataFolder { get; init; } = "data/tinyworld";

    /// <summary>The SFT checkpoint the policy (and the reference) start from.</summary>
    public string InputCheckpoint { get; init; } = "data/checkpoints/sft";

    /// <summary>The reward model, read when <see cref="RewardFuncs"/> holds <c>reward_model</c>.</summary>
    public string RewardCheckpoint { get; init; } = "data/checkpoints/rm";

    /// <summary>Where the final policy and history.json go; null writes nothing.</summary>
    public abstract string? OutputFolder { get; init; }

    /// <summary>A step checkpoint (<c>OUT/checkpoints/step-NNNNNN</c>) to resume from; null starts from <see cref="InputCheckpoint"/>.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Prompts per generation batch: batch_size / num_generations.</summary>
    [JsonIgnore]
    public int PromptsPerStep => Training.BatchSize / NumGenerations;

    /// <summary>The reward function names the trainer knows.</summary>
    public static IReadOnlyList<string> KnownRewardFuncs { get; } = ["reward_model", "verifiable"];

    /// <summary>Throws naming the first invalid field (by its JSON name); returns the options.</summary>
    public CriticFreeOptions Validated()
    {
        ValidateShared();
        ValidateOwn();
        return this;
    }

    /// <summary>The checks of the algorithm's own fields.</summary>
    protected virtual void ValidateOwn() { }

    void ValidateShared()
    {
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
        var unused = DefaultTraining;
        foreach (var (field, same) in new (string, bool)[]
                 {
                     (nameof(TrainingOptions.GradientAccumulationSteps), Training.GradientAccumulationSteps == unused.GradientAccumulationSteps),
                     (nameof(TrainingOptions.WarmupSteps), Training.WarmupSteps == unused.WarmupSteps),
                     (nameof(TrainingOptions.MinLearningRateRatio), Training.MinLearningRateRatio == unused.MinLearningRateRatio),
                     (nameof(TrainingOptions.WeightDecay), Training.WeightDecay == unused.WeightDecay),
                     (nameof(TrainingOptions.EvalEvery), Training.EvalEvery == unused.EvalEvery),
                 })
            Require(same, nameof(Training) + "." + field, "is not used here (--evaluate compares the policies afterwards); leave it at its default");
        Require(NumGenerations >= 2, nameof(NumGenerations), "must be at least 2 (a group of one has no baseline)");
        Require(Training.BatchSize % NumGenerations == 0, "Training.BatchSize", $"must be a multiple of num_generations ({NumGenerations})");
        Require(MaxCompletionLength > 0, nameof(MaxCompletionLength), "must be positive");
        Require(Temperature > 0 && double.IsFinite(Temperature), nameof(Temperature), "must be positive (the groups need sampled completions)");
        Require(Beta >= 0 && double.IsFinite(Beta), nameof(Beta), "must be 0 or more");
        Require(Epsilon > 0 && Epsilon < 1, nameof(Epsilon), "must be in (0, 1)");
        Require(EpsilonHigh is null || EpsilonHigh > 0, nameof(EpsilonHigh), "must be positive (or null: epsilon)");
        Require(Enum.IsDefined(LossType), nameof(LossType), "must be grpo, bnpo, dr_grpo or dapo");
        Require(NumIterations > 0, nameof(NumIterations), "must be positive");
        Require(RewardFuncs is { Count: > 0 } && RewardFuncs.All(f => KnownRewardFuncs.Contains(f)) && RewardFuncs.Distinct().Count() == RewardFuncs.Count,
            nameof(RewardFuncs), $"must list some of {string.Join(", ", KnownRewardFuncs)}, each once");
        Require(RewardWeights is null || (RewardWeights.Count == RewardFuncs.Count && RewardWeights.All(double.IsFinite)), nameof(RewardWeights),
            $"must give one finite weight per reward function ({RewardFuncs.Count})");
        Require(PromptKinds is not null && PromptKinds.All(Enum.IsDefined), nameof(PromptKinds), "must list TinyWorld task families (arithmetic, fact, reverse_word, count_letter, harmful_request, benign_lookalike, unanswerable)");
        Require(!string.IsNullOrWhiteSpace(DataFolder), nameof(DataFolder), "must name a folder");
        Require(!string.IsNullOrWhiteSpace(InputCheckpoint), nameof(InputCheckpoint), "must name a folder");
        Require(!RewardFuncs.Contains("reward_model") || !string.IsNullOrWhiteSpace(RewardCheckpoint), nameof(RewardCheckpoint), "must name a folder");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="field"/> by its JSON path.</summary>
    protected void Require(bool condition, string field, string message)
    {
        if (!condition) throw new ArgumentException($"{StageName} option '{string.Join('.', field.Split('.').Select(OptionsBinder.JsonName))}' {message}.");
    }
}

/// <summary>
/// GRPO (Shao et al. 2024, DeepSeekMath): no critic; each completion's advantage is its reward against its group's
/// (<see cref="ScaleRewards"/>), optionally with a KL term to the reference (<c>beta</c>, TRL's default 0).
/// <c>rlhf grpo --set loss_type=dr_grpo</c> and a notebook's <c>with { LossType = GrpoLossType.DrGrpo }</c> change the same field.
/// </summary>
public sealed record GrpoOptions : CriticFreeOptions
{
    /// <inheritdoc/>
    public override string StageName => "grpo";

    /// <summary>How advantages are scaled: by the group's reward std (default), the batch's, or not at all (Dr. GRPO).</summary>
    public RewardScaling ScaleRewards { get; init; } = RewardScaling.Group;

    /// <inheritdoc/>
    public override string? OutputFolder { get; init; } = "out/grpo";

    /// <summary>The course preset (notebook 08): TRL's batch (8 prompts x 8 completions) for 40 steps in a full run (about a
    /// minute on 2 cores at the course's answer lengths); 2 steps of 2 prompts x 4 completions of at most 12 tokens in a smoke run.</summary>
    [JsonIgnore]
    public static GrpoOptions Course => CourseRun.Pick(
        full: new GrpoOptions(),
        smoke: new GrpoOptions { Training = DefaultTraining with { MaxSteps = 2, BatchSize = 8 }, NumGenerations = 4, MaxCompletionLength = 12 });

    /// <summary>Throws naming the first invalid field.</summary>
    public GrpoOptions Validate() => (GrpoOptions)Validated();

    /// <inheritdoc/>
    protected override void ValidateOwn() => Require(Enum.IsDefined(ScaleRewards), nameof(ScaleRewards), "must be group, batch or none");
}

/// <summary>
/// RLOO (Ahmadian et al. 2024, "Back to Basics"): k completions per prompt, each one's baseline the mean reward of the
/// other k - 1; the KL to the reference is subtracted from the reward (beta x the sequence's summed k1 estimate), as
/// TRL does. TRL's defaults: 2 completions per prompt, beta 0.05, advantages not normalised.
/// </summary>
public sealed record RlooOptions : CriticFreeOptions
{
    /// <inheritdoc/>
    public override string StageName => "rloo";

    /// <inheritdoc/>
    public override int NumGenerations { get; init; } = 2;

    /// <inheritdoc/>
    public override double Beta { get; init; } = 0.05;

    /// <summary>Whiten the advantages over the batch (mean 0, std 1).</summary>
    public bool NormalizeAdvantages { get; init; }

    /// <inheritdoc/>
    public override string? OutputFolder { get; init; } = "out/rloo";

    /// <summary>The course preset (notebook 08): GRPO's batch (64 completions) with 4 completions per prompt, 16 prompts per
    /// step, for 24 steps (GRPO runs 40; the notebook stays under 3 minutes); 2 steps of 4 prompts x 2 completions of at
    /// most 12 tokens in a smoke run.</summary>
    [JsonIgnore]
    public static RlooOptions Course => CourseRun.Pick(
        full: new RlooOptions { NumGenerations = 4, Training = DefaultTraining with { MaxSteps = 24 } },
        smoke: new RlooOptions { Training = DefaultTraining with { MaxSteps = 2, BatchSize = 8 }, MaxCompletionLength = 12 });

    /// <summary>Throws naming the first invalid field.</summary>
    public RlooOptions Validate() => (RlooOptions)Validated();
}
