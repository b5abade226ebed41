using System.Diagnostics;
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
/// <item>PPO epochs x minibatches: clipped surrogate + vf_coef * clipped value loss (+ ptx_coef * the pretraining loss of
/// PPO-ptx), gradient clipping, Adam step;</item>
/// <item>update the KL coefficient (fixed, or Ziegler et al.'s adaptive controller).</item>
/// </list>
/// All models stay in eval mode (dropout off: N+ detail, it would make the first-epoch ratio differ from 1); gradients
/// flow all the same. Metrics use TRL's names.
/// </summary>
public sealed class PpoTrainer : IDisposable
{
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
    readonly KlController klController;
    readonly GenerationEngine engine;
    readonly PretrainingText? pretraining;
    double rolloutGenerationSeconds, rolloutScoringSeconds;

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
    /// <param name="pretraining">Pretraining text, required when <see cref="PpoOptions.PtxCoef"/> or <see cref="PpoOptions.PretrainEvalEvery"/> is positive.</param>
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
            throw new ArgumentException("ppo options 'ptx_coef' and 'pretrain_eval_every' need pretraining text: pass a PretrainingText.", nameof(pretraining));
        if (options.UsesPretraining && options.PretrainWindowLength > policy.ContextLength)
            throw new ArgumentException($"ppo option 'pretrain_window_length' ({options.PretrainWindowLength}) exceeds the policy's context length {policy.ContextLength}.", nameof(options));
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
        optimizer = optim.Adam(parameters, options.LearningRate, beta1: 0.9, beta2: 0.999, eps: options.AdamEpsilon);
        klController = options.AdaptiveKl
            ? KlController.Adaptive(options.KlCoef, options.TargetKl, options.Horizon)
            : KlController.Fixed(options.KlCoef);
        engine = new GenerationEngine(policy);
    }

    /// <summary>Every iteration's metrics.</summary>
    public MetricsHistory History { get; } = new();

    /// <summary>Where the time of the last <see cref="Iterate"/> went; null before the first one.</summary>
    public PpoIterationTimings? LastTimings { get; private set; }

    /// <summary>The KL coefficient the next rollout will use.</summary>
    public double KlCoefficient => klController.Value;

    /// <summary>
    /// Runs <see cref="PpoOptions.Iterations"/> iterations, reporting each as a <see cref="TrainingStep"/> (loss = policy
    /// loss + vf_coef * value loss, items = response tokens) to <paramref name="observers"/>. When <paramref name="savePolicy"/>
    /// is given it is called with <c>outputFolder/checkpoints/iteration-NNNNNN</c> every <see cref="PpoOptions.CheckpointEvery"/>
    /// iterations and with <paramref name="outputFolder"/> at the end.
    /// </summary>
    public TrainingResult Train(IEnumerable<ITrainingObserver>? observers = null, string? outputFolder = null, Action<string>? savePolicy = null)
    {
        var watchers = (observers ?? []).ToList();
        foreach (var o in watchers) o.OnStart(0, options.Iterations);
        double loss = double.NaN;
        for (int iteration = 0; iteration < options.Iterations; iteration++)
        {
            var step = Iterate(iteration);
            loss = step.Loss;
            History.Add(step.Step, new Dictionary<string, double>(step.Metrics) { ["loss"] = step.Loss, ["learning_rate"] = step.LearningRate, ["grad_norm"] = step.GradientNorm });
            foreach (var o in watchers) o.OnStep(step);
            if (outputFolder is not null && savePolicy is not null && options.CheckpointEvery > 0 && step.Step % options.CheckpointEvery == 0
                && step.Step < options.Iterations)
            {
                var folder = Path.Combine(outputFolder, "checkpoints", $"iteration-{step.Step:D6}");
                savePolicy(folder);
                foreach (var o in watchers) o.OnCheckpoint(step.Step, folder);
            }
        }
        var last = History.Rows.Count > 0 ? History.Rows[^1].Values : new Dictionary<string, double>();
        var final = last.Where(m => m.Key.StartsWith("objective/") || m.Key.StartsWith("gold/") || m.Key.StartsWith("response/"))
            .ToDictionary(m => m.Key, m => m.Value);
        foreach (var o in watchers) o.OnEvaluation(options.Iterations, final);
        if (outputFolder is not null)
        {
            Directory.CreateDirectory(outputFolder);
            savePolicy?.Invoke(outputFolder);
            History.Save(Path.Combine(outputFolder, "history.json"));
        }
        var result = new TrainingResult(options.Iterations, loss, final, History, outputFolder);
        foreach (var o in watchers) o.OnEnd(result);
        return result;
    }

    /// <summary>One iteration: rollout, PPO epochs over it, KL-coefficient update. Returns its metrics.</summary>
    public TrainingStep Iterate(int iteration)
    {
        var clock = Stopwatch.StartNew();
        double learningRate = options.AnnealLearningRate
            ? options.LearningRate * (1.0 - (double)iteration / options.Iterations)
            : options.LearningRate;
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;

        using var rollout = Rollout(iteration);
        var metrics = RolloutMetrics(rollout);
        var updateClock = Stopwatch.StartNew();
        var update = Optimize(rollout, iteration);
        LastTimings = new PpoIterationTimings(rolloutGenerationSeconds, rolloutScoringSeconds, updateClock.Elapsed.TotalSeconds);
        foreach (var (name, value) in update.Metrics) metrics[name] = value;
        metrics["objective/kl_coef"] = rollout.KlCoefficient;
        klController.Update(metrics["objective/kl"], rollout.BatchSize);
        if (options.PretrainEvalEvery > 0 && ((iteration + 1) % options.PretrainEvalEvery == 0 || iteration + 1 == options.Iterations))
            metrics["pretrain/lm_loss"] = PretrainLoss();

        long tokens = (long)Math.Round(metrics["response/length"] * rollout.BatchSize);
        return new TrainingStep(iteration + 1, options.Iterations, update.Loss, learningRate, update.GradientNorm, tokens,
            tokens / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), metrics);
    }

    /// <summary>
    /// Steps 1-5 of the algorithm for iteration <paramref name="iteration"/>: sample, score, log-probs and values,
    /// per-token rewards, advantages. The returned tensors belong to the caller.
    /// </summary>
    public PpoRollout Rollout(int iteration)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batchPrompts = PromptsFor(iteration);
        var generationOptions = new GenerationOptions
        {
            Sampling = new SamplingOptions { Temperature = options.Temperature },
            MaxNewTokens = options.ResponseLength,
            Seed = options.Seed * 100_003 + iteration,
        };
        using var generated = engine.Generate(batchPrompts.Select(p => (IReadOnlyList<int>)p.Ids).ToList(), generationOptions, endOfTextId, padId);
        int promptLength = (int)generated.PromptIds.shape[1];
        rolloutGenerationSeconds = clock.Elapsed.TotalSeconds;

        var responseMask = PpoRewards.ResponseMask(generated.ResponseIds, endOfTextId);                  // (B, N)
        var responseIds = generated.ResponseIds.masked_fill(responseMask.eq(0), padId);                  // (B, N)
        var sequenceIds = cat([generated.PromptIds, responseIds], 1);                                     // (B, P + N)
        var sequenceMask = cat([generated.PromptMask, responseMask], 1);                                  // (B, P + N)
        var mask = responseMask.to(ScalarType.Float32);                                                   // (B, N)

        var (policyLogProbs, policyEntropy) = ResponseLogProbs(policy, sequenceIds, sequenceMask, promptLength, options.Temperature);     // (B, N) each
        var logProbs = policyLogProbs * mask;                                                                                            // (B, N)
        var entropy = policyEntropy * mask;                                                                                              // (B, N)
        var referenceLogProbs = ResponseLogProbs(reference, sequenceIds, sequenceMask, promptLength, options.Temperature).LogProbs * mask; // (B, N)
        var values = ResponseValues(critic, sequenceIds, sequenceMask, promptLength) * mask;                                            // (B, N)

        var ended = PpoRewards.EndedWithEndOfText(responseIds, responseMask, endOfTextId);                // (B)
        var rawScores = scorer.Score(sequenceIds, sequenceMask, promptLength).to(ScalarType.Float32);    // (B)
        var scores = PpoRewards.PenalizeUnfinished(rawScores, ended, options.MissingEosPenalty);          // (B)
        if (options.LengthPenalty > 0) scores = PpoRewards.PenalizeLength(scores, mask, options.LengthPenalty); // (B)

        double beta = klController.Value;
        var kl = (options.KlEstimator == KlEstimator.K3
            ? KlEstimators.K3(logProbs, referenceLogProbs)
            : KlEstimators.K1(logProbs, referenceLogProbs)) * mask;                                     // (B, N)
        var (rewards, nonScoreRewards) = PpoRewards.TokenRewards(kl, scores, responseMask, beta);         // (B, N)
        if (options.WhitenRewards) rewards = MaskedStatistics.Whiten(rewards, mask, shiftMean: false);
        var (advantages, returns) = GeneralizedAdvantageEstimation.Compute(rewards, values, mask, options.Gamma, options.Lam); // (B, N)
        if (options.WhitenAdvantages) advantages = MaskedStatistics.Whiten(advantages, mask);

        var responses = ResponseRows(responseIds, responseMask);
        rolloutScoringSeconds = clock.Elapsed.TotalSeconds - rolloutGenerationSeconds;
        return new PpoRollout
        {
            Prompts = batchPrompts,
            Responses = responses,
            PromptLength = promptLength,
            SequenceIds = sequenceIds.MoveToOuterDisposeScope(),
            SequenceMask = sequenceMask.MoveToOuterDisposeScope(),
            ResponseMask = mask.MoveToOuterDisposeScope(),
            SampledLogProbs = (generated.LogProbs * mask).MoveToOuterDisposeScope(),
            LogProbs = logProbs.MoveToOuterDisposeScope(),
            ReferenceLogProbs = referenceLogProbs.MoveToOuterDisposeScope(),
            Values = values.MoveToOuterDisposeScope(),
            RawScores = rawScores.MoveToOuterDisposeScope(),
            Scores = scores.MoveToOuterDisposeScope(),
            Entropy = entropy.MoveToOuterDisposeScope(),
            Ended = ended.MoveToOuterDisposeScope(),
            Kl = kl.MoveToOuterDisposeScope(),
            NonScoreRewards = nonScoreRewards.MoveToOuterDisposeScope(),
            Rewards = rewards.MoveToOuterDisposeScope(),
            Advantages = advantages.MoveToOuterDisposeScope(),
            Returns = returns.MoveToOuterDisposeScope(),
            KlCoefficient = beta,
        };
    }

    /// <summary>What one iteration's optimisation reports: mean losses and the other per-minibatch statistics.</summary>
    /// <param name="Loss">Mean of policy loss + vf_coef * value loss over the minibatch updates.</param>
    /// <param name="GradientNorm">Mean gradient norm before clipping.</param>
    /// <param name="Metrics">policy/*, loss/*, val/* means over the updates, and <c>policy/first_ratio_max_error</c>.</param>
    public sealed record UpdateMetrics(double Loss, double GradientNorm, IReadOnlyDictionary<string, double> Metrics);

    /// <summary>
    /// Step 6: <see cref="PpoOptions.PpoEpochs"/> passes over the rollout in <see cref="PpoOptions.NumMiniBatches"/> seeded
    /// minibatches, each one Adam step on the clipped surrogate + vf_coef * clipped value loss. Also records
    /// <c>policy/first_ratio_max_error</c>: max |pi_train / pi_sampler - 1| over the first minibatch of the first epoch, the
    /// training forward pass against the log-probs the sampler drew the tokens with, before any update: it must be ~0 (a
    /// larger value means training and sampling see different distributions, e.g. another temperature or a masked pad).
    /// </summary>
    public UpdateMetrics Optimize(PpoRollout rollout, int iteration)
    {
        var sums = new Dictionary<string, double>();
        double firstRatioError = double.NaN, lossSum = 0, normSum = 0;
        int updates = 0;
        var order = Seeding.Derive(options.Seed, 1_000_000L + iteration);
        for (int epoch = 0; epoch < options.PpoEpochs; epoch++)
        {
            var rows = Enumerable.Range(0, rollout.BatchSize).OrderBy(_ => order.Next()).ToArray();
            foreach (var minibatch in rows.Chunk(options.MiniBatchSize))
            {
                using var scope = NewDisposeScope();
                var losses = MiniBatchLoss(rollout, minibatch, PtxStep(iteration, updates));
                var (loss, policyLoss, mask) = (losses.Total, losses.Policy, losses.ResponseMask);

                optimizer.zero_grad();
                loss.backward();
                double norm = nn.utils.clip_grad_norm_(parameters, options.MaxGradNorm > 0 ? options.MaxGradNorm : double.PositiveInfinity);
                optimizer.step();

                if (updates == 0) // the training forward pass against the sampler's own log-probs (not against itself)
                {
                    var sampled = rollout.SampledLogProbs.index_select(0, tensor(minibatch.Select(i => (long)i).ToArray(), device: mask.device));
                    firstRatioError = ((losses.LogProbs.detach() - sampled).exp() - 1).abs().mul(mask).max().item<float>();
                }
                double lossValue = loss.item<float>();
                if (!double.IsFinite(lossValue))
                    throw new TrainingDivergedException(iteration + 1, lossValue, null);
                lossSum += lossValue;
                normSum += norm;
                Add(sums, "loss/policy", policyLoss.Loss.item<float>());
                Add(sums, "loss/value", losses.Value.item<float>());
                if (losses.Pretraining is not null) Add(sums, "loss/ptx", losses.Pretraining.item<float>());
                Add(sums, "policy/approxkl", policyLoss.ApproximateKl.item<float>());
                Add(sums, "policy/clipfrac", policyLoss.ClipFraction.item<float>());
                Add(sums, "policy/entropy", MaskedStatistics.Mean(losses.Entropy.detach(), mask).item<float>());
                Add(sums, "val/ratio", policyLoss.MeanRatio.item<float>());
                Add(sums, "val/clipfrac", losses.ValueClipFraction.item<float>());
                updates++;
            }
        }
        var metrics = sums.ToDictionary(m => m.Key, m => m.Value / updates);
        metrics["policy/first_ratio_max_error"] = firstRatioError;
        return new UpdateMetrics(lossSum / updates, normSum / updates, metrics);
    }

    /// <summary>The losses of one minibatch and what they were computed from (all tensors belong to the caller's dispose scope).</summary>
    /// <param name="Total">policy + vf_coef * value (+ ptx_coef * pretraining when ptx is on): what is minimised.</param>
    /// <param name="Policy">The clipped surrogate and its statistics.</param>
    /// <param name="Value">The clipped value loss.</param>
    /// <param name="ValueClipFraction">Fraction of value predictions clipped.</param>
    /// <param name="Pretraining">The policy's mean next-token loss on the minibatch's pretraining windows; null when ptx_coef is 0.</param>
    /// <param name="LogProbs">log pi of the minibatch's response tokens now (M, N).</param>
    /// <param name="OldLogProbs">log pi_old of the same tokens from the rollout (M, N).</param>
    /// <param name="Entropy">Entropy of the policy at each response position (M, N).</param>
    /// <param name="ResponseMask">The minibatch's response mask (M, N).</param>
    public sealed record MiniBatchLosses(Tensor Total, PolicyLossResult Policy, Tensor Value, Tensor ValueClipFraction, Tensor? Pretraining,
        Tensor LogProbs, Tensor OldLogProbs, Tensor Entropy, Tensor ResponseMask);

    /// <summary>
    /// The loss of the minibatch of rollout rows <paramref name="rows"/>: the clipped surrogate plus vf_coef times the clipped
    /// value loss, and, when <see cref="PpoOptions.PtxCoef"/> is positive, PPO-ptx's term (Ouyang et al. 2022, eq. 2):
    /// ptx_coef times the policy's mean next-token loss on <see cref="PpoOptions.PtxBatchSize"/> pretraining windows drawn
    /// for <paramref name="ptxStep"/> (a pure function of the seed and the step).
    /// </summary>
    public MiniBatchLosses MiniBatchLoss(PpoRollout rollout, IReadOnlyList<int> rows, int ptxStep)
    {
        var index = tensor(rows.Select(i => (long)i).ToArray(), device: rollout.SequenceIds.device); // (M)
        var sequenceIds = rollout.SequenceIds.index_select(0, index);   // (M, P + N)
        var sequenceMask = rollout.SequenceMask.index_select(0, index); // (M, P + N)
        var mask = rollout.ResponseMask.index_select(0, index);         // (M, N)

        var (logProbs, entropy) = ResponseLogProbs(policy, sequenceIds, sequenceMask, rollout.PromptLength, options.Temperature); // (M, N) each
        var values = ResponseValues(critic, sequenceIds, sequenceMask, rollout.PromptLength); // (M, N)
        var oldLogProbs = rollout.LogProbs.index_select(0, index);      // (M, N)
        var policyLoss = PpoLoss.ClippedSurrogate(logProbs, oldLogProbs, rollout.Advantages.index_select(0, index), mask, options.Cliprange);
        var (valueLoss, valueClipFraction) = PpoLoss.ClippedValue(
            values, rollout.Values.index_select(0, index), rollout.Returns.index_select(0, index), mask, options.CliprangeValue);
        var loss = policyLoss.Loss + options.VfCoef * valueLoss;
        Tensor? pretrainingLoss = null;
        if (options.PtxCoef > 0)
        {
            var (inputs, targets) = PtxWindows(ptxStep);                     // (W, L) each
            pretrainingLoss = PretrainingText.MeanTokenLoss(policy, inputs, targets);
            loss = loss + options.PtxCoef * pretrainingLoss;                 // InstructGPT eq. 2: - gamma * E_pretrain[log pi]
        }
        return new MiniBatchLosses(loss, policyLoss, valueLoss, valueClipFraction, pretrainingLoss, logProbs, oldLogProbs, entropy, mask);
    }

    /// <summary>The pretraining windows (inputs, targets) (W, L) each of ptx step <paramref name="ptxStep"/>.</summary>
    public (Tensor Inputs, Tensor Targets) PtxWindows(int ptxStep)
    {
        if (pretraining is null) throw new InvalidOperationException("this trainer was built without pretraining text");
        return pretraining.TrainingWindows(options.Seed, 3_000_000 + ptxStep, options.PtxBatchSize, options.PretrainWindowLength, policy.Device);
    }

    /// <summary>The ptx step of update <paramref name="update"/> of iteration <paramref name="iteration"/>: every update draws new windows.</summary>
    public int PtxStep(int iteration, int update) => iteration * options.PpoEpochs * options.NumMiniBatches + update;

    /// <summary>The policy's mean next-token loss on held-out pretraining text now (nats per token): the forgetting metric.</summary>
    public double PretrainLoss()
    {
        if (pretraining is null) throw new InvalidOperationException("this trainer was built without pretraining text");
        return pretraining.HeldOutLoss(policy, options.PretrainEvalWindows, options.PretrainWindowLength);
    }

    /// <summary>
    /// Log-probs (B, N) of the response tokens of <paramref name="sequenceIds"/> (B, P + N) under <paramref name="model"/>
    /// with its logits divided by <paramref name="temperature"/> (the rollout's sampling distribution), and the entropy
    /// (B, N) of that distribution at each response position. The logits at column t predict the token at t + 1.
    /// </summary>
    public static (Tensor LogProbs, Tensor Entropy) ResponseLogProbs(Gpt model, Tensor sequenceIds, Tensor sequenceMask, int promptLength, double temperature)
    {
        long responseLength = sequenceIds.shape[1] - promptLength;
        var logits = model.forward(sequenceIds, sequenceMask, null);                                    // (B, P + N, V)
        var predicting = logits.narrow(1, promptLength - 1, responseLength).to(ScalarType.Float32) / temperature; // (B, N, V)
        var allLogProbs = predicting.log_softmax(-1);                                                    // (B, N, V)
        var targets = sequenceIds.narrow(1, promptLength, responseLength).unsqueeze(2);                  // (B, N, 1)
        var logProbs = allLogProbs.gather(2, targets).squeeze(2);                                        // (B, N)
        var entropy = -(allLogProbs.exp() * allLogProbs).sum(-1);                                        // (B, N)
        return (logProbs, entropy);
    }

    /// <summary>The critic's values (B, N) of the states before each response token: its output at the column before it.</summary>
    public static Tensor ResponseValues(ScalarHeadModel critic, Tensor sequenceIds, Tensor sequenceMask, int promptLength)
    {
        long responseLength = sequenceIds.shape[1] - promptLength;
        return critic.Values(sequenceIds, sequenceMask).narrow(1, promptLength - 1, responseLength).to(ScalarType.Float32); // (B, N)
    }

    /// <summary>
    /// TRL-named statistics of a rollout: objective/scores (mean score after the end-of-text penalty), objective/kl (mean
    /// per-sequence sum of the KL estimate), objective/non_score_reward (mean per-sequence sum of -beta * kl),
    /// objective/rlhf_reward (their sum), objective/entropy (mean per-sequence sum of -log pi, TRL's estimate),
    /// response/length, response/ended (fraction ending with end-of-text), and gold/score when a gold judge is given; and
    /// for notebook 07's pitfalls: objective/rm_score (the scorer's mean score before the end-of-text and length penalties),
    /// response/distinct_2 (distinct bigrams / all bigrams over the batch's responses, Li et al. 2016) and response/entropy
    /// (mean entropy in nats of the sampling distribution at temperature T per response token): diversity, which falls
    /// when the policy collapses onto a few answers.
    /// </summary>
    public Dictionary<string, double> RolloutMetrics(PpoRollout rollout)
    {
        using var scope = NewDisposeScope();
        double scores = rollout.Scores.mean().item<float>();
        double nonScore = rollout.NonScoreRewards.sum(1).mean().item<float>();
        var metrics = new Dictionary<string, double>
        {
            ["objective/scores"] = scores,
            ["objective/kl"] = rollout.Kl.sum(1).mean().item<float>(),
            ["objective/non_score_reward"] = nonScore,
            ["objective/rlhf_reward"] = scores + nonScore,
            ["objective/entropy"] = (-rollout.LogProbs * rollout.ResponseMask).sum(1).mean().item<float>(),
            ["response/length"] = rollout.ResponseMask.sum(1).mean().item<float>(),
            ["response/ended"] = rollout.Ended.to(ScalarType.Float32).mean().item<float>(),
            ["objective/rm_score"] = rollout.RawScores.mean().item<float>(),
            ["response/distinct_2"] = Evaluation.Statistics.DistinctN(rollout.Responses, 2),
            ["response/entropy"] = MaskedStatistics.Mean(rollout.Entropy, rollout.ResponseMask).item<float>(),
        };
        if (goldScore is not null)
            metrics["gold/score"] = rollout.Prompts.Select((p, i) => goldScore(p.Text, rollout.Responses[i])).Average();
        return metrics;
    }

    /// <summary>The prompts of iteration <paramref name="iteration"/>: consecutive slices of a seeded shuffle, reshuffled
    /// each time the prompts run out (a pure function of seed and iteration).</summary>
    public IReadOnlyList<PpoPrompt> PromptsFor(int iteration)
    {
        var chosen = new List<PpoPrompt>(options.RolloutBatchSize);
        long first = (long)iteration * options.RolloutBatchSize;
        int[] order = [];
        long orderPass = -1;
        for (long k = first; k < first + options.RolloutBatchSize; k++)
        {
            long pass = k / prompts.Count;
            if (pass != orderPass)
            {
                var shuffle = Seeding.Derive(options.Seed, 2_000_000L + pass);
                order = Enumerable.Range(0, prompts.Count).OrderBy(_ => shuffle.Next()).ToArray();
                orderPass = pass;
            }
            chosen.Add(prompts[order[k % prompts.Count]]);
        }
        return chosen;
    }

    static List<int[]> ResponseRows(Tensor responseIds, Tensor responseMask)
    {
        var ids = responseIds.cpu().to(ScalarType.Int32).data<int>().ToArray();
        var mask = responseMask.cpu().to(ScalarType.Int32).data<int>().ToArray();
        int n = (int)responseIds.shape[1];
        return Enumerable.Range(0, (int)responseIds.shape[0])
            .Select(b => Enumerable.Range(0, n).Where(t => mask[b * n + t] == 1).Select(t => ids[b * n + t]).ToArray()).ToList();
    }

    static void Add(Dictionary<string, double> sums, string name, double value) => sums[name] = sums.GetValueOrDefault(name) + value;

    /// <summary>Frees the optimizer state.</summary>
    public void Dispose() => optimizer.Dispose();
}
