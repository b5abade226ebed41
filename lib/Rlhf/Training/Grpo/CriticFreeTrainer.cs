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
/// GRPO (Shao et al. 2024) and RLOO (Ahmadian et al. 2024): RL without a critic. Each step:
/// <list type="number">
/// <item>take batch_size / G prompts and sample G completions of each at temperature T;</item>
/// <item>score every completion with the reward functions (the reward model, the verifiable checkers) and sum them;</item>
/// <item>RLOO only: subtract beta x the completion's summed KL to the reference from its reward;</item>
/// <item>advantages against the group: GRPO (r - group mean) / std, RLOO r - mean of the other G - 1;</item>
/// <item>num_iterations Adam steps on the clipped surrogate (GRPO: + beta x k3 KL per token), averaged as loss_type says.</item>
/// </list>
/// A completion is one action: its advantage is the same at every token, and no value model is trained. Metrics use TRL's
/// names. Steps run in the shared <see cref="TrainingLoop"/> (history, observers, step checkpoints, resume, NaN guard).
/// </summary>
public sealed class CriticFreeTrainer : ILoopStage, IDisposable
{
    const string OptimizerFile = "optimizer.bin";

    readonly CriticFreeOptions options;
    readonly Gpt policy;
    readonly Gpt? reference;
    readonly IReadOnlyList<IRewardFunction> rewardFunctions;
    readonly double[] rewardWeights;
    readonly IReadOnlyList<PpoPrompt> prompts;
    readonly int endOfTextId, padId;
    readonly Func<int[], string> decode;
    readonly Func<string, string, double>? goldScore;
    readonly List<Parameter> parameters;
    readonly Adam optimizer;
    readonly GenerationEngine engine;
    Action<string>? savePolicy;

    /// <summary>Sets up the trainer; <paramref name="reference"/> (needed when beta is positive) is frozen here.</summary>
    /// <param name="options">GRPO or RLOO options (validated here).</param>
    /// <param name="policy">The trainable policy, a copy of the SFT model.</param>
    /// <param name="reference">The frozen SFT model, or null when beta is 0.</param>
    /// <param name="rewardFunctions">One per <see cref="CriticFreeOptions.RewardFuncs"/>, in that order.</param>
    /// <param name="prompts">Training prompts (text and chat-template ids).</param>
    /// <param name="endOfTextId">The token that ends a completion.</param>
    /// <param name="padId">The padding token.</param>
    /// <param name="decode">Completion ids (without end-of-text) to text.</param>
    /// <param name="goldScore">Optional (prompt, completion) -> gold score, logged as <c>gold/score</c>, never trained on.</param>
    public CriticFreeTrainer(CriticFreeOptions options, Gpt policy, Gpt? reference, IReadOnlyList<IRewardFunction> rewardFunctions,
        IReadOnlyList<PpoPrompt> prompts, int endOfTextId, int padId, Func<int[], string> decode, Func<string, string, double>? goldScore = null)
    {
        this.options = options.Validated();
        if (prompts.Count == 0) throw new ArgumentException($"{options.StageName} needs at least one training prompt.", nameof(prompts));
        if (options.Beta > 0 && reference is null) throw new ArgumentException($"{options.StageName} option 'beta' is {options.Beta}: pass the reference model.", nameof(reference));
        if (rewardFunctions.Count != options.RewardFuncs.Count)
            throw new ArgumentException($"{rewardFunctions.Count} reward functions for reward_funcs [{string.Join(", ", options.RewardFuncs)}]", nameof(rewardFunctions));
        int longest = prompts.Max(p => p.Ids.Length);
        if (longest + options.MaxCompletionLength > policy.ContextLength)
            throw new ArgumentException($"the longest prompt ({longest} tokens) + max_completion_length {options.MaxCompletionLength} exceeds the policy's context length {policy.ContextLength}.", nameof(prompts));
        this.policy = policy;
        this.reference = reference;
        this.rewardFunctions = rewardFunctions;
        rewardWeights = options.RewardWeights?.ToArray() ?? Enumerable.Repeat(1.0, rewardFunctions.Count).ToArray();
        this.prompts = prompts;
        this.endOfTextId = endOfTextId;
        this.padId = padId;
        this.decode = decode;
        this.goldScore = goldScore;
        if (reference is not null)
        {
            foreach (var p in reference.parameters()) p.requires_grad = false;
            reference.eval();
        }
        policy.eval(); // dropout off: the first ratio must be exactly 1
        parameters = [.. policy.parameters().Where(p => p.requires_grad)];
        var training = options.Training;
        optimizer = optim.Adam(parameters, training.LearningRate, beta1: training.Beta1, beta2: training.Beta2, eps: training.AdamEpsilon);
        engine = new GenerationEngine(policy);
    }

    /// <summary>Every step's metrics (after <see cref="Train"/>).</summary>
    public MetricsHistory History { get; private set; } = new();

    /// <summary>Runs the steps in the shared loop (see <see cref="PpoTrainer.Train"/>: the same checkpoints, resume and observers).</summary>
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

    /// <summary>The prompts of step <paramref name="step"/>, each once (the batch repeats each G times).</summary>
    public IReadOnlyList<PpoPrompt> PromptsFor(int step) => PromptSchedule.Take(prompts, options.Training.Seed, step, options.PromptsPerStep);

    /// <summary>One step: generate the groups, score them, advantages, num_iterations updates. Returns its metrics.</summary>
    public TrainingStep Step(int step)
    {
        var clock = Stopwatch.StartNew();
        int total = options.Training.MaxSteps, g = options.NumGenerations;
        double learningRate = options.Training.LearningRate * (1.0 - (double)step / total); // TRL's linear schedule
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
        using var scope = NewDisposeScope();

        // 1. G completions per prompt.
        var stepPrompts = PromptsFor(step).SelectMany(p => Enumerable.Repeat(p, g)).ToList();
        Tensor sequenceIds, sequenceMask, completionMask, ended;
        int promptLength;
        List<int[]> completions;
        using (no_grad())
        {
            var generation = new GenerationOptions
            {
                Sampling = new SamplingOptions { Temperature = options.Temperature },
                MaxNewTokens = options.MaxCompletionLength,
                Seed = options.Training.Seed * RandomStreams.PpoRolloutSeedStride + step,
            };
            using var generated = engine.Generate(stepPrompts.Select(p => (IReadOnlyList<int>)p.Ids).ToList(), generation, endOfTextId, padId);
            promptLength = (int)generated.PromptIds.shape[1];
            var responseMask = PpoRewards.ResponseMask(generated.ResponseIds, endOfTextId);                 // (B, N)
            var responseIds = generated.ResponseIds.masked_fill(responseMask.eq(0), padId);                 // (B, N)
            sequenceIds = cat([generated.PromptIds, responseIds], 1);                                        // (B, P + N)
            sequenceMask = cat([generated.PromptMask, responseMask], 1);                                     // (B, P + N)
            ended = PpoRewards.EndedWithEndOfText(responseIds, responseMask, endOfTextId);                 // (B)
            completionMask = responseMask.to(ScalarType.Float32);                                           // (B, N)
            completions = PpoTrainer.ResponseRows(responseIds, responseMask);
        }
        var texts = completions.Select(c => decode(c.Where(t => t != endOfTextId).ToArray())).ToList();
        var metrics = CompletionMetrics(completions, ended);
        if (options.MaskTruncatedCompletions) completionMask = completionMask * ended.to(ScalarType.Float32).unsqueeze(1);

        // 2. Rewards: the weighted sum of the functions that apply (none: 0, as TRL's nansum).
        var batch = new CompletionBatch(stepPrompts.Select(p => p.Text).ToList(), texts, sequenceIds, sequenceMask, promptLength);
        var rewardValues = RewardSum(batch, metrics);                                                      // (B)
        var rewards = tensor(rewardValues, dtype: ScalarType.Float32, device: sequenceIds.device);        // (B)
        metrics["reward"] = rewardValues.Average();
        metrics["reward_std"] = GroupAdvantages.GroupStd(rewards, g).mean().item<float>();
        metrics["frac_reward_zero_std"] = GroupAdvantages.ZeroStdFraction(rewards, g);
        if (goldScore is not null)
        {
            var judged = batch.Prompts.Select((p, i) => goldScore(p, texts[i])).Where(double.IsFinite).ToList();
            if (judged.Count > 0) metrics["gold/score"] = judged.Average();
        }

        // 3-4. Old and reference log-probs; RLOO's KL-in-reward; advantages.
        Tensor? oldLogProbs = null, referenceLogProbs = null;
        using (no_grad())
        {
            if (options.NumIterations > 1)
                oldLogProbs = TokenLogProbs.OfResponse(policy, sequenceIds, sequenceMask, promptLength, options.Temperature).LogProbs;
            if (options.Beta > 0)
                referenceLogProbs = TokenLogProbs.OfResponse(reference!, sequenceIds, sequenceMask, promptLength, options.Temperature).LogProbs;
        }
        Tensor advantages;
        if (options is RlooOptions rloo)
        {
            if (referenceLogProbs is not null)
            {
                using var noGrad = no_grad();
                // pi_old: the same weights' log-probs, computed once here and reused by the update (ratio exactly 1 on the first)
                oldLogProbs ??= TokenLogProbs.OfResponse(policy, sequenceIds, sequenceMask, promptLength, options.Temperature).LogProbs;
                var sequenceKl = (KlEstimators.K1(oldLogProbs, referenceLogProbs) * completionMask).sum(1); // (B)
                metrics["kl"] = sequenceKl.mean().item<float>();
                rewards = rewards - rloo.Beta * sequenceKl;                                                   // Ahmadian et al. 2024, KL in the reward
                metrics["objective/rlhf_reward"] = rewards.mean().item<float>();
            }
            advantages = GroupAdvantages.LeaveOneOut(rewards, g);
            if (rloo.NormalizeAdvantages) advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8);
        }
        else
            advantages = GroupAdvantages.GroupRelative(rewards, g, ((GrpoOptions)options).ScaleRewards);

        // 5. num_iterations updates on the whole batch.
        double lossSum = 0, normSum = 0;
        var sums = new Dictionary<string, double>();
        for (int update = 0; update < options.NumIterations; update++)
        {
            using var updateScope = NewDisposeScope();
            var (logProbs, entropy) = TokenLogProbs.OfResponse(policy, sequenceIds, sequenceMask, promptLength, options.Temperature, withEntropy: true);
            double grpoBeta = options is GrpoOptions ? options.Beta : 0;
            var tokenLoss = GrpoLoss.PerToken(logProbs, oldLogProbs ?? logProbs.detach(), advantages, grpoBeta > 0 ? referenceLogProbs : null,
                grpoBeta, options.Epsilon, options.EpsilonHigh ?? options.Epsilon);
            var loss = GrpoLoss.Aggregate(tokenLoss.PerToken, completionMask, options.LossType, options.MaxCompletionLength);
            double lossValue = loss.item<float>();
            if (!double.IsFinite(lossValue))
            {
                optimizer.zero_grad();
                return new TrainingStep(step + 1, total, lossValue, learningRate, double.NaN, 0, 0, metrics);
            }
            optimizer.zero_grad();
            loss.backward();
            normSum += nn.utils.clip_grad_norm_(parameters, options.Training.MaxGradNorm > 0 ? options.Training.MaxGradNorm : double.PositiveInfinity);
            optimizer.step();
            lossSum += lossValue;
            var mask = completionMask;
            Add(sums, "entropy", MaskedStatistics.Mean(entropy!.detach(), mask).item<float>());
            Add(sums, "clip_ratio/low_mean", MaskedStatistics.Mean(tokenLoss.LowClipped, mask).item<float>());
            Add(sums, "clip_ratio/high_mean", MaskedStatistics.Mean(tokenLoss.HighClipped, mask).item<float>());
            Add(sums, "clip_ratio/region_mean", MaskedStatistics.Mean(tokenLoss.LowClipped + tokenLoss.HighClipped, mask).item<float>());
            Add(sums, "policy/mean_ratio", MaskedStatistics.Mean(tokenLoss.Ratio.detach(), mask).item<float>());
            if (tokenLoss.Kl is not null) Add(sums, "kl", MaskedStatistics.Mean(tokenLoss.Kl.detach(), mask).item<float>());
        }
        foreach (var (name, sum) in sums) metrics[name] = sum / options.NumIterations;
        long tokens = (long)completions.Sum(c => c.Length);
        return new TrainingStep(step + 1, total, lossSum / options.NumIterations, learningRate, normSum / options.NumIterations, tokens,
            tokens / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), metrics);
    }

    double[] RewardSum(CompletionBatch batch, Dictionary<string, double> metrics)
    {
        var sum = new double[batch.Prompts.Count];
        for (int f = 0; f < rewardFunctions.Count; f++)
        {
            var scores = rewardFunctions[f].Score(batch);
            if (scores.Count != sum.Length) throw new InvalidOperationException($"reward function {rewardFunctions[f].Name} gave {scores.Count} rewards for {sum.Length} completions");
            var present = scores.Where(s => s is not null).Select(s => s!.Value).ToList();
            if (present.Count > 0)
            {
                double mean = present.Average();
                metrics[$"rewards/{rewardFunctions[f].Name}/mean"] = mean;
                metrics[$"rewards/{rewardFunctions[f].Name}/std"] = present.Count > 1 ? Math.Sqrt(present.Sum(s => (s - mean) * (s - mean)) / (present.Count - 1)) : 0;
            }
            metrics[$"rewards/{rewardFunctions[f].Name}/scored_fraction"] = present.Count / (double)sum.Length;
            for (int i = 0; i < sum.Length; i++)
                if (scores[i] is double s) sum[i] += rewardWeights[f] * s;
        }
        return sum;
    }

    Dictionary<string, double> CompletionMetrics(List<int[]> completions, Tensor ended)
    {
        var lengths = completions.Select(c => (double)c.Length).ToList();
        var endedRows = ended.cpu().data<bool>().ToArray();
        var terminated = lengths.Where((_, i) => endedRows[i]).ToList();
        return new Dictionary<string, double>
        {
            ["completions/mean_length"] = lengths.Average(),
            ["completions/min_length"] = lengths.Min(),
            ["completions/max_length"] = lengths.Max(),
            ["completions/clipped_ratio"] = 1 - terminated.Count / (double)lengths.Count,
            ["completions/mean_terminated_length"] = terminated.Count > 0 ? terminated.Average() : 0,
        };
    }

    static void Add(Dictionary<string, double> sums, string name, double value) => sums[name] = sums.GetValueOrDefault(name) + value;

    int ILoopStage.TotalSteps => options.Training.MaxSteps;

    JsonObject ILoopStage.OptionsSnapshot => JsonSerializer.SerializeToNode(options, options.GetType(), OptionsBinder.Json)!.AsObject();

    /// <summary>What a resumed run may change: where it writes and logs, its checkpoint cadence and the gradient clipping.</summary>
    IReadOnlySet<string> ILoopStage.ResumableChanges { get; } = new HashSet<string>
        { "output_folder", "resume_from", "training.checkpoint_every", "training.log_directory", "training.max_grad_norm" };

    /// <summary>No held-out pass during training (<c>--evaluate</c> compares the policies afterwards).</summary>
    IReadOnlyDictionary<string, double>? ILoopStage.Evaluate(int step, bool last) => null;

    /// <summary>The last step's reward, completion and gold metrics.</summary>
    IReadOnlyDictionary<string, double> ILoopStage.Summary(MetricsHistory history) =>
        (history.Rows.Count > 0 ? history.Rows[^1].Values : new Dictionary<string, double>())
        .Where(m => m.Key.StartsWith("reward") || m.Key.StartsWith("completions/") || m.Key.StartsWith("gold/") || m.Key is "kl" or "frac_reward_zero_std")
        .ToDictionary(m => m.Key, m => m.Value);

    bool ILoopStage.CheckpointsLastStep => false;

    bool ILoopStage.WeightsAreFinite()
    {
        using var scope = NewDisposeScope();
        return parameters.All(p => p.isfinite().all().item<bool>());
    }

    void ILoopStage.SaveState(string folder)
    {
        SavePolicy(folder);
        optimizer.save_state_dict(Path.Combine(folder, OptimizerFile));
    }

    void ILoopStage.LoadState(string folder)
    {
        Checkpoint.LoadInto(folder, policy);
        OptimizerState.Load(optimizer, Path.Combine(folder, OptimizerFile));
    }

    void ILoopStage.SaveFinal(string folder) => SavePolicy(folder);

    void SavePolicy(string folder)
    {
        if (savePolicy is not null) savePolicy(folder);
        else PpoTrainer.WriteWeights(folder, policy);
    }

    /// <summary>Frees the optimizer state.</summary>
    public void Dispose() => optimizer.Dispose();
}
