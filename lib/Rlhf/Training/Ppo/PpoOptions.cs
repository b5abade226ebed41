using System.Text.Json.Serialization;

namespace Rlhf.Training;

/// <summary>Which per-token estimator of KL(policy || reference) the PPO reward penalises (see <see cref="Models.KlEstimators"/>).</summary>
public enum KlEstimator
{
    /// <summary>k1 = log pi - log pi_ref (the classic RLHF penalty: unbiased, can be negative per token).</summary>
    K1,

    /// <summary>k3 = (r - 1) - log r with r = pi_ref / pi (unbiased, never negative).</summary>
    K3,
}

/// <summary>
/// Every PPO hyperparameter with its default (names follow TRL's <c>PPOConfig</c> where one exists; defaults follow
/// Huang et al. 2024, "The N+ Implementation Details of RLHF with PPO", scaled to the course's tiny models).
/// One iteration = one rollout batch, then <see cref="PpoEpochs"/> passes of <see cref="NumMiniBatches"/> updates over it.
/// <c>rlhf ppo --set kl_coef=0.1</c> and a notebook's <c>with { KlCoef = 0.1 }</c> change the same field.
/// </summary>
public sealed record PpoOptions
{
    /// <summary>
    /// The loop's settings, as in every stage: <c>seed</c> (prompt order, rollout sampling and minibatch order),
    /// <c>max_steps</c> (rollout-then-optimise iterations: one step of the shared loop is one PPO iteration),
    /// <c>learning_rate</c>, <c>max_grad_norm</c>, Adam's <c>beta1</c>/<c>beta2</c>/<c>adam_epsilon</c>,
    /// <c>checkpoint_every</c> and <c>log_directory</c>. See <see cref="DefaultTraining"/>; the fields PPO has no use for
    /// (batching, warm-up, weight decay, evaluation cadence) must stay at its values.
    /// </summary>
    public TrainingOptions Training { get; init; } = DefaultTraining;

    /// <summary>
    /// PPO's loop defaults: 24 iterations of 64 rollouts (1,536 episodes, 4 epochs of 4 minibatches: 384 Adam steps, the
    /// recipe of docs/results/10-rlhf-effect.md's experiment 23, under two minutes on 2 cores), Adam (no weight decay) with learning rate 1e-4, betas 0.9/0.999 and
    /// epsilon 1e-5 (N+ detail, rather than PyTorch's 1e-8), gradient norm clipped to 1, seed 1234.
    /// </summary>
    public static TrainingOptions DefaultTraining { get; } = new()
    {
        Seed = 1234, MaxSteps = 24, LearningRate = 1e-4, Beta1 = 0.9, Beta2 = 0.999, AdamEpsilon = 1e-5, MaxGradNorm = 1.0,
        WeightDecay = 0, WarmupSteps = 0, EvalEvery = 0, CheckpointEvery = 0,
    };

    /// <summary>Rollout-then-optimise iterations to run (<c>training.max_steps</c>).</summary>
    [JsonIgnore]
    public int Iterations => Training.MaxSteps;

    /// <summary>The seed of the run (<c>training.seed</c>).</summary>
    [JsonIgnore]
    public long Seed => Training.Seed;

    /// <summary>Prompts per rollout (one response each). Default 64: at the same budget, 24 batches of 64 won more held-out
    /// prompts on every seed than 48 of 32 (docs/results/10-rlhf-effect.md, experiments 22 and 23).</summary>
    public int RolloutBatchSize { get; init; } = 64;

    /// <summary>PPO epochs over each rollout batch (TRL <c>num_ppo_epochs</c>; default 4, as TRL).</summary>
    public int PpoEpochs { get; init; } = 4;

    /// <summary>Minibatches per epoch; each is one optimizer step. Must divide <see cref="RolloutBatchSize"/>. Default 4
    /// (minibatches of 16).</summary>
    public int NumMiniBatches { get; init; } = 4;

    /// <summary>Most tokens generated per response (TRL <c>response_length</c>); a response that reaches it without
    /// end-of-text is penalised by <see cref="MissingEosPenalty"/>.</summary>
    public int ResponseLength { get; init; } = 32;

    /// <summary>Sampling temperature of the rollouts; training log-probs divide the logits by the same T (N+ detail: a
    /// mismatch makes the first-epoch ratio differ from 1).</summary>
    public double Temperature { get; init; } = 0.7;

    /// <summary>Decay <c>training.learning_rate</c> (one Adam over policy and critic, as TRL) linearly to 0 over the run (N+ detail).</summary>
    public bool AnnealLearningRate { get; init; } = true;

    /// <summary>KL coefficient beta of the per-token penalty -beta * KL (the starting value when <see cref="AdaptiveKl"/>).
    /// Default 0.3, six times TRL's 0.05: TinyWorld's reward model is small, and at 0.05 PPO unlearns refusing harmful
    /// requests; at 0.2 it keeps less of it than at 0.3, for the same wins (docs/results/10-rlhf-effect.md, experiments 19-23).</summary>
    public double KlCoef { get; init; } = 0.3;

    /// <summary>KL estimator in the reward: k1 (default, as Ziegler et al. and TRL) or k3.</summary>
    public KlEstimator KlEstimator { get; init; } = KlEstimator.K1;

    /// <summary>Adapt beta towards <see cref="TargetKl"/> with Ziegler et al.'s controller instead of keeping it fixed.</summary>
    public bool AdaptiveKl { get; init; } = false;

    /// <summary>Target per-sequence KL (nats) of the adaptive controller.</summary>
    public double TargetKl { get; init; } = 6.0;

    /// <summary>Horizon (in sequences) of the adaptive controller: how fast beta moves.</summary>
    public double Horizon { get; init; } = 10000;

    /// <summary>Clip range eps of the surrogate ratio.</summary>
    public double Cliprange { get; init; } = 0.2;

    /// <summary>Clip range of the value function around the rollout's values.</summary>
    public double CliprangeValue { get; init; } = 0.2;

    /// <summary>Weight of the value loss in the joint loss policy + vf_coef * value.</summary>
    public double VfCoef { get; init; } = 0.1;

    /// <summary>Discount gamma (1: an episode is one short response).</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>GAE lambda.</summary>
    public double Lam { get; init; } = 0.95;

    /// <summary>Added to the reward-model score of a response that never produced end-of-text (N+ detail: -1); 0 disables.</summary>
    public double MissingEosPenalty { get; init; } = -1.0;

    /// <summary>Length penalty c: the score PPO optimises becomes score - c * L, where L is the number of response tokens the
    /// episode kept (up to and including end-of-text), applied after the missing end-of-text penalty; 0 (default) disables.
    /// A crude but direct fix for a reward model that pays for length (notebook 07).</summary>
    public double LengthPenalty { get; init; } = 0.0;

    /// <summary>More reward checkpoints to score with besides <see cref="RewardCheckpoint"/>: when not empty, PPO's reward is
    /// the <see cref="EnsembleAggregation"/> of all of them (Coste et al. 2023); the critic still starts from
    /// <see cref="RewardCheckpoint"/>. Default empty (one reward model).</summary>
    public IReadOnlyList<string> RewardEnsemble { get; init; } = [];

    /// <summary>How an ensemble's scores combine: mean (default) or min.</summary>
    public EnsembleAggregation EnsembleAggregation { get; init; } = EnsembleAggregation.Mean;

    /// <summary>PPO-ptx (Ouyang et al. 2022, eq. 2), composed as in every stage: each minibatch's loss adds <c>ptx.coef</c> times
    /// the policy's mean next-token loss on <c>ptx.windows</c> windows of <c>ptx.window_length</c> tokens of pretraining text
    /// (the training part of the data folder's <c>corpus.jsonl</c>). Default coef 0, plain PPO as TRL runs it: with a reward
    /// model trained on the policy's own samples too, PPO beats SFT on held-out gold on every seed without it
    /// (docs/results/10-rlhf-effect.md, experiment 19). <c>--set ptx.coef=10</c> was the default before (docs/results/04-ppo.md):
    /// against a reward model trained on templated comparisons alone, it kept arithmetic answers from drifting.</summary>
    public PretrainingMixOptions Ptx { get; init; } = DefaultPtx;

    /// <summary>PPO's pretraining-mix defaults: coef 0 (off); when turned on, 4 windows of 128 tokens per minibatch, the last 5%
    /// of documents held out.</summary>
    public static PretrainingMixOptions DefaultPtx { get; } = new() { Coef = 0 };

    /// <summary>The objective these options optimise, named as tables, live views and <c>results.json</c> show it:
    /// <c>PPO-ptx (c)</c> when the pretraining term is on (<c>--set ptx.coef=10</c>: <c>PPO-ptx (10)</c>), else <c>PPO</c>, the
    /// paper's pure form as TRL runs it (the default).</summary>
    [JsonIgnore]
    public string ObjectiveName =>
        Ptx.Coef > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PPO-ptx ({Ptx.Coef:G})") : "PPO";

    /// <summary>Measure the policy's mean next-token loss on held-out pretraining text (<c>pretrain/lm_loss</c>) after every
    /// N iterations and after the last (forgetting); 0 (default) never.</summary>
    public int PretrainEvalEvery { get; init; } = 0;

    /// <summary>Held-out pretraining windows (of <c>ptx.window_length</c> tokens, from the documents <c>ptx.eval_fraction</c>
    /// holds out) per forgetting measurement. Default 16.</summary>
    public int PretrainEvalWindows { get; init; } = 16;

    /// <summary>Whiten advantages over the response tokens of the batch (mean 0, variance 1).</summary>
    public bool WhitenAdvantages { get; init; } = true;

    /// <summary>Scale the per-token rewards to unit variance (mean kept) before GAE; off by default as in TRL.</summary>
    public bool WhitenRewards { get; init; } = false;

    /// <summary>TinyWorld data folder (its <c>rl_prompts.txt</c> feeds the rollouts).</summary>
    public string DataFolder { get; init; } = "data/tinyworld";

    /// <summary>The start checkpoint (the SFT policy): the trainable policy and the frozen reference both start from it.</summary>
    public string InputCheckpoint { get; init; } = "data/checkpoints/sft";

    /// <summary>Checkpoint of the reward model (with <c>reward_normalization.json</c>); the critic starts from it too.</summary>
    public string RewardCheckpoint { get; init; } = "data/checkpoints/rm";

    /// <summary>Where the final policy checkpoint and <c>history.json</c> are written; null writes nothing.</summary>
    public string? OutputFolder { get; init; } = "out/ppo";

    /// <summary>Continue from a step checkpoint (<c>OUT/checkpoints/step-NNNNNN</c>, written every <c>training.checkpoint_every</c>
    /// iterations): policy, critic, Adam's moments, KL coefficient, RNG and history; the next iteration's metrics equal an
    /// uninterrupted run's. Null starts from <see cref="InputCheckpoint"/>.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>The course preset: the defaults in a full run (20 iterations with ptx, under half a minute on 2 idle cores); 2 small
    /// iterations in a smoke run.</summary>
    [JsonIgnore]
    public static PpoOptions Course => CourseRun.Pick(
        full: new PpoOptions(),
        smoke: new PpoOptions { Training = DefaultTraining with { MaxSteps = 2 }, RolloutBatchSize = 4, PpoEpochs = 1, NumMiniBatches = 1, ResponseLength = 12 });

    /// <summary>Sequences per optimizer step.</summary>
    [JsonIgnore]
    public int MiniBatchSize => RolloutBatchSize / NumMiniBatches;

    /// <summary>Whether the run reads pretraining text (the ptx term or the forgetting metric is on).</summary>
    [JsonIgnore]
    public bool UsesPretraining => Ptx.Coef > 0 || PretrainEvalEvery > 0;

    /// <summary>Throws naming the first invalid field (by its JSON name).</summary>
    public PpoOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
        var unused = DefaultTraining;
        foreach (var (field, same) in new (string, bool)[]
                 {
                     (nameof(TrainingOptions.BatchSize), Training.BatchSize == unused.BatchSize),
                     (nameof(TrainingOptions.GradientAccumulationSteps), Training.GradientAccumulationSteps == unused.GradientAccumulationSteps),
                     (nameof(TrainingOptions.WarmupSteps), Training.WarmupSteps == unused.WarmupSteps),
                     (nameof(TrainingOptions.MinLearningRateRatio), Training.MinLearningRateRatio == unused.MinLearningRateRatio),
                     (nameof(TrainingOptions.WeightDecay), Training.WeightDecay == unused.WeightDecay),
                     (nameof(TrainingOptions.EvalEvery), Training.EvalEvery == unused.EvalEvery),
                 })
            Require(same, nameof(Training) + "." + field, "is not used by PPO (rollout_batch_size, num_mini_batches, anneal_learning_rate and " +
                "rlhf ppo --evaluate set what it would); leave it at its default");
        Require(RolloutBatchSize > 0, nameof(RolloutBatchSize), "must be positive");
        Require(PpoEpochs > 0, nameof(PpoEpochs), "must be positive");
        Require(NumMiniBatches > 0 && RolloutBatchSize % NumMiniBatches == 0, nameof(NumMiniBatches),
            $"must be positive and divide rollout_batch_size ({RolloutBatchSize})");
        Require(ResponseLength > 0, nameof(ResponseLength), "must be positive");
        Require(Temperature > 0 && double.IsFinite(Temperature), nameof(Temperature), "must be positive (PPO needs sampled rollouts, not greedy ones)");
        Require(KlCoef >= 0 && double.IsFinite(KlCoef), nameof(KlCoef), "must be 0 or more");
        Require(!AdaptiveKl || TargetKl > 0, nameof(TargetKl), "must be positive when adaptive_kl is on");
        Require(!AdaptiveKl || Horizon > 0, nameof(Horizon), "must be positive when adaptive_kl is on");
        Require(!AdaptiveKl || KlCoef > 0, nameof(KlCoef), "must be positive when adaptive_kl is on (the controller multiplies it)");
        Require(Cliprange > 0, nameof(Cliprange), "must be positive");
        Require(CliprangeValue > 0, nameof(CliprangeValue), "must be positive");
        Require(VfCoef >= 0, nameof(VfCoef), "must be 0 or more");
        Require(Gamma is >= 0 and <= 1, nameof(Gamma), "must be in [0, 1]");
        Require(Lam is >= 0 and <= 1, nameof(Lam), "must be in [0, 1]");
        Require(double.IsFinite(MissingEosPenalty), nameof(MissingEosPenalty), "must be a finite number");
        Require(LengthPenalty >= 0 && double.IsFinite(LengthPenalty), nameof(LengthPenalty), "must be 0 or more");
        Require(RewardEnsemble is not null && RewardEnsemble.All(f => !string.IsNullOrWhiteSpace(f)), nameof(RewardEnsemble), "must be a list of checkpoint folders");
        Require(Enum.IsDefined(EnsembleAggregation), nameof(EnsembleAggregation), "must be mean or min");
        ArgumentNullException.ThrowIfNull(Ptx, nameof(Ptx));
        Ptx.Validate("ppo");
        Require(PretrainEvalEvery == 0 || Ptx.EvalFraction > 0, "Ptx.EvalFraction", "must be positive when pretrain_eval_every is on (the forgetting metric reads the held-out documents)");
        Require(PretrainEvalEvery >= 0, nameof(PretrainEvalEvery), "must be 0 (off) or positive");
        Require(PretrainEvalWindows > 0, nameof(PretrainEvalWindows), "must be positive");
        Require(!string.IsNullOrWhiteSpace(DataFolder), nameof(DataFolder), "must name a folder");
        Require(!string.IsNullOrWhiteSpace(InputCheckpoint), nameof(InputCheckpoint), "must name a folder");
        Require(!string.IsNullOrWhiteSpace(RewardCheckpoint), nameof(RewardCheckpoint), "must name a folder");
        return this;
    }

    static void Require(bool condition, string field, string message)
    {
        if (!condition) throw new ArgumentException($"ppo option '{string.Join('.', field.Split('.').Select(OptionsBinder.JsonName))}' {message}.");
    }
}
