using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Checkpoints;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// PPO for language models as in Ouyang et al. 2022 and Huang et al. 2024 ("The N+ Implementation Details of RLHF with
/// PPO"). Each iteration:
/// <list type="number">
/// <item>rollout: sample one response per prompt at temperature T, cut after the first end-of-text;</item>
/// <item>score: the reward model's score (or an ensemble's), plus a penalty when the response never ended and an optional
/// length penalty;</item>
/// <item>log-probs of the policy (pi_old) and the frozen reference, and the critic's values, on the same tokens;</item>
/// <item>per-token rewards: -beta * KL at every token, plus the score at the last one;</item>
/// <item>GAE advantages (whitened) and value targets;</item>
/// <item>PPO epochs x minibatches: clipped surrogate + vf_coef * clipped value loss (+ ptx.coef * the pretraining loss of
/// PPO-ptx), gradient clipping, Adam step;</item>
/// <item>update the KL coefficient (fixed, or Ziegler et al.'s adaptive controller).</item>
/// </list>
/// All models stay in eval mode (dropout off: N+ detail, it would make the first-epoch ratio differ from 1); gradients
/// flow all the same. Metrics use TRL's names. The iterations run in the shared <see cref="TrainingLoop"/> (history, observers,
/// step checkpoints, resume, NaN guard); this class supplies the iteration (rollout in <c>PpoTrainer.Rollout.cs</c>, update in
/// <c>PpoTrainer.Update.cs</c>) and its resumable state (policy, critic, Adam moments, KL coefficient).
/// </summary>
public sealed partial class PpoTrainer : ILoopStage, IDisposable
{
    const string OptimizerFile = "optimizer.bin", CriticFolder = "critic", PpoStateFile = "ppo_state.json";

    readonly PpoOptions options;
    readonly Gpt policy;
    readonly Gpt reference;
    readonly ScalarHeadModel critic;
    readonly IRewardScorer scorer;
    readonly IReadOnlyList<PpoPrompt> prompts;
    readonly int endOfTextId, padId;
    readonly Func<string, int[], double>? goldScore;
    readonly List<Parameter> parameters;
    readonly Adam optimizer;
    readonly GenerationEngine engine;
    readonly PretrainingText? pretraining;
    KlController klController;
    Action<string>? savePolicy;

    /// <summary>
    /// Sets up PPO. <paramref name="policy"/> and <paramref name="critic"/> are trained (one Adam over both);
    /// <paramref name="reference"/> is frozen here (its parameters stop requiring gradients).
    /// </summary>
    /// <param name="options">Hyperparameters (validated here).</param>
    /// <param name="policy">Trainable policy, a copy of the SFT model.</param>
    /// <param name="reference">Frozen reference, another copy of the SFT model.</param>
    /// <param name="critic">Trainable value model (the course initialises it from the reward model).</param>
    /// <param name="scorer">The reward (the reward model, or a synthetic one in tests).</param>
    /// <param name="prompts">Rollout prompts; each iteration takes <see cref="PpoOptions.RolloutBatchSize"/> of them in a seeded order.</param>
    /// <param name="endOfTextId">The token that ends a response.</param>
    /// <param name="padId">The padding token.</param>
    /// <param name="goldScore">Optional (prompt text, response ids) -> gold score, logged as <c>gold/score</c> and never used for training.</param>
    /// <param name="pretraining">Pretraining text, required when <c>ptx.coef</c> or <see cref="PpoOptions.PretrainEvalEvery"/> is positive.</param>
    public PpoTrainer(PpoOptions options, Gpt policy, Gpt reference, ScalarHeadModel critic, IRewardScorer scorer,
        IReadOnlyList<PpoPrompt> prompts, int endOfTextId, int padId, Func<string, int[], double>? goldScore = null,
        PretrainingText? pretraining = null)
    {
        this.options = options.Validate();
        if (prompts.Count == 0) throw new ArgumentException("PPO needs at least one rollout prompt.", nameof(prompts));
        int longest = prompts.Max(p => p.Ids.Length);
        if (longest + options.ResponseLength > policy.ContextLength)
            throw new ArgumentException($"the longest prompt ({longest} tokens) + response_length {options.ResponseLength} exceeds the policy's context length {policy.ContextLength}.", nameof(prompts));
        if (options.UsesPretraining && pretraining is null)
            throw new ArgumentException("ppo options 'ptx.coef' and 'pretrain_eval_every' need pretraining text: pass a PretrainingText.", nameof(pretraining));
        if (options.UsesPretraining && options.Ptx.WindowLength > policy.ContextLength)
            throw new ArgumentException($"ppo option 'ptx.window_length' ({options.Ptx.WindowLength}) exceeds the policy's context length {policy.ContextLength}.", nameof(options));
        this.pretraining = pretraining;
        this.policy = policy;
        this.reference = reference;
        this.critic = critic;
        this.scorer = scorer;
        this.prompts = prompts;
        this.endOfTextId = endOfTextId;
        this.padId = padId;
        this.goldScore = goldScore;
        foreach (var p in reference.parameters()) p.requires_grad = false;
        policy.eval();
        reference.eval();
        critic.eval();
        parameters = [.. policy.parameters().Where(p => p.requires_grad), .. critic.parameters().Where(p => p.requires_grad)];
        var training = options.Training;
        optimizer = optim.Adam(parameters, training.LearningRate, beta1: training.Beta1, beta2: training.Beta2, eps: training.AdamEpsilon);
        klController = NewKlController(options.KlCoef);
        engine = new GenerationEngine(policy);
    }

    KlController NewKlController(double start) => options.AdaptiveKl
        ? KlController.Adaptive(start, options.TargetKl, options.Horizon)
        : KlController.Fixed(start);

    /// <summary>Every iteration's metrics (after <see cref="Train"/>).</summary>
    public MetricsHistory History { get; private set; } = new();

    /// <summary>Where the time of the last <see cref="Iterate"/> went; null before the first one.</summary>
    public PpoIterationTimings? LastTimings { get; private set; }

    /// <summary>The KL coefficient the next rollout will use.</summary>
    public double KlCoef => klController.KlCoef;

    /// <summary>
    /// Runs the iterations in the shared <see cref="TrainingLoop"/>, from the start or from a step checkpoint
    /// (<paramref name="resumeFrom"/>, <c>OUT/checkpoints/step-NNNNNN</c>), reporting each as a <see cref="TrainingStep"/>
    /// (loss = policy loss + vf_coef * value loss, items = response tokens) to <paramref name="observers"/>. Step
    /// checkpoints (every <see cref="TrainingOptions.CheckpointEvery"/> iterations) hold the policy, the critic, Adam's
    /// moments and the KL coefficient; <paramref name="savePolicy"/> writes the policy as a checkpoint folder (into each
    /// step checkpoint and, at the end, into <paramref name="outputFolder"/>); without it the weights alone are written.
    /// </summary>
    public TrainingResult Train(IEnumerable<ITrainingObserver>? observers = null, string? outputFolder = null, Action<string>? savePolicy = null,
        string? resumeFrom = null)
    {
        this.savePolicy = savePolicy;
        var loop = new TrainingLoop(this, outputFolder, options.Training.CheckpointEvery, options.Training.LogDirectory, observers);
        History = loop.History;
        try
        {
            return loop.Run(resumeFrom);
        }
        finally
        {
            History = loop.History;
        }
    }

    /// <summary>One iteration: rollout, PPO epochs over it, KL-coefficient update. Returns its metrics.</summary>
    public TrainingStep Iterate(int iteration)
    {
        var clock = Stopwatch.StartNew();
        double learningRate = options.AnnealLearningRate
            ? options.Training.LearningRate * (1.0 - (double)iteration / options.Iterations)
            : options.Training.LearningRate;
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;

        using var rollout = Rollout(iteration);
        var metrics = RolloutMetrics(rollout);
        var updateClock = Stopwatch.StartNew();
        var update = Optimize(rollout, iteration);
        LastTimings = new PpoIterationTimings(rollout.GenerationSeconds, rollout.ScoringSeconds, updateClock.Elapsed.TotalSeconds);
        if (!double.IsFinite(update.Loss))
            return new TrainingStep(iteration + 1, options.Iterations, update.Loss, learningRate, double.NaN, 0, 0, metrics);
        foreach (var (name, value) in update.Metrics) metrics[name] = value;
        metrics["objective/kl_coef"] = rollout.KlCoef;
        klController.Update(metrics["objective/kl"], rollout.BatchSize);
        if (options.PretrainEvalEvery > 0 && ((iteration + 1) % options.PretrainEvalEvery == 0 || iteration + 1 == options.Iterations))
            metrics["pretrain/lm_loss"] = PretrainLoss();

        long tokens = (long)Math.Round(metrics["response/length"] * rollout.BatchSize);
        return new TrainingStep(iteration + 1, options.Iterations, update.Loss, learningRate, update.GradientNorm, tokens,
            tokens / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), metrics);
    }

    int ILoopStage.TotalSteps => options.Iterations;

    JsonObject ILoopStage.OptionsSnapshot => JsonSerializer.SerializeToNode(options, OptionsBinder.Json)!.AsObject();

    /// <summary>What a resumed PPO run may change: where it writes and logs, its cadences, and (for a run that diverged)
    /// the gradient clipping; the learning rate is not among them, since PPO anneals it over the planned iterations.</summary>
    IReadOnlySet<string> ILoopStage.ResumableChanges { get; } = new HashSet<string>
        { "output_folder", "resume_from", "pretrain_eval_every", "training.checkpoint_every", "training.log_directory", "training.max_grad_norm" };

    TrainingStep ILoopStage.Step(int step) => Iterate(step);

    /// <summary>PPO has no held-out pass of its own (<c>rlhf ppo --evaluate</c> compares policies afterwards).</summary>
    IReadOnlyDictionary<string, double>? ILoopStage.Evaluate(int step, bool last) => null;

    /// <summary>The last iteration's objective/*, response/* and gold/* metrics.</summary>
    IReadOnlyDictionary<string, double> ILoopStage.Summary(MetricsHistory history) =>
        (history.Rows.Count > 0 ? history.Rows[^1].Values : new Dictionary<string, double>())
        .Where(m => m.Key.StartsWith("objective/") || m.Key.StartsWith("gold/") || m.Key.StartsWith("response/"))
        .ToDictionary(m => m.Key, m => m.Value);

    /// <summary>Only the final policy at the end (as before the shared loop): a last step checkpoint would double the disk a run takes.</summary>
    bool ILoopStage.CheckpointsLastStep => false;

    bool ILoopStage.WeightsAreFinite()
    {
        using var scope = NewDisposeScope();
        return parameters.All(p => p.isfinite().all().item<bool>());
    }

    void ILoopStage.SaveState(string folder)
    {
        SavePolicy(folder);
        WriteWeights(Path.Combine(folder, CriticFolder), critic);
        optimizer.save_state_dict(Path.Combine(folder, OptimizerFile));
        File.WriteAllText(Path.Combine(folder, PpoStateFile), new JsonObject { ["kl_coef"] = klController.KlCoef }.ToJsonString(OptionsBinder.Json));
    }

    void ILoopStage.LoadState(string folder)
    {
        Checkpoint.LoadInto(folder, policy);
        Checkpoint.LoadInto(Path.Combine(folder, CriticFolder), critic);
        OptimizerState.Load(optimizer, Path.Combine(folder, OptimizerFile));
        var statePath = Path.Combine(folder, PpoStateFile);
        double? klCoef = File.Exists(statePath) ? JsonNode.Parse(File.ReadAllText(statePath))?["kl_coef"]?.GetValue<double>() : null;
        klController = NewKlController(klCoef ?? throw new InvalidDataException($"'{statePath}' is missing or has no kl_coef: the checkpoint is incomplete"));
    }

    void ILoopStage.SaveFinal(string folder) => SavePolicy(folder);

    void SavePolicy(string folder)
    {
        if (savePolicy is not null) savePolicy(folder);
        else WriteWeights(folder, policy);
    }

    /// <summary>A module's weights alone, in float32, as <c>model.safetensors</c> (what <see cref="Checkpoint.LoadInto"/> reads).</summary>
    internal static void WriteWeights(string folder, nn.Module module)
    {
        Directory.CreateDirectory(folder);
        using var scope = NewDisposeScope();
        SafetensorsFile.Write(Path.Combine(folder, Checkpoint.WeightsFile), module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu()),
            new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>Frees the optimizer state.</summary>
    public void Dispose() => optimizer.Dispose();
}
