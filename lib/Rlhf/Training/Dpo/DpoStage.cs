using Rlhf.Checkpoints;
using Rlhf.Evaluation;
using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// Direct Preference Optimization for the shared <see cref="Trainer{TBatch}"/> (Rafailov et al. 2023, as in the
/// authors' reference implementation): the policy starts as the SFT model, a frozen copy of it is the reference, and
/// each micro-batch's loss is the SUM of its pairs' losses (the trainer divides by the pairs of the whole step).
/// With <see cref="DpoOptions.PrecomputeReference"/> the reference's log-probs of every training and held-out pair
/// are computed once, here in the constructor, and the reference model is disposed before training starts.
/// </summary>
public sealed class DpoStage : ITrainingStage<DpoBatch>, IDisposable
{
    readonly DpoOptions options;
    readonly Gpt policy;
    readonly TokenizedPreferences train, eval;
    readonly string tokenizerFolder;
    readonly ReferenceLogProbs? trainReference, evalReference;
    readonly PolicyEvaluator? goldEvaluator;
    readonly IReadOnlyList<string> goldPrompts;
    readonly Dictionary<long, int[]> orders = [];
    readonly PretrainingMix? mix;
    Gpt? reference;

    /// <summary>A stage training <paramref name="policy"/> against <paramref name="reference"/> (a frozen copy of the
    /// starting policy, see <see cref="FrozenCopy"/>), which the stage now owns and disposes.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="policy">The model being trained (the caller keeps and disposes it).</param>
    /// <param name="reference">The frozen reference; disposed at once when the reference log-probs are precomputed.</param>
    /// <param name="train">Training pairs.</param>
    /// <param name="eval">Held-out pairs for <see cref="Evaluate"/>.</param>
    /// <param name="tokenizerFolder">The tokenizer files saved with every checkpoint of the policy.</param>
    /// <param name="goldEvaluator">Scores the policy's answers to <paramref name="goldPrompts"/> at every evaluation; null for none.</param>
    /// <param name="goldPrompts">Held-out prompts for <paramref name="goldEvaluator"/>.</param>
    /// <param name="mix">The pretraining mix added to every training micro-batch's loss (<see cref="DpoOptions.Ptx"/>); null for none.</param>
    public DpoStage(DpoOptions options, Gpt policy, Gpt reference, TokenizedPreferences train, TokenizedPreferences eval, string tokenizerFolder,
        PolicyEvaluator? goldEvaluator = null, IReadOnlyList<string>? goldPrompts = null, PretrainingMix? mix = null)
    {
        this.mix = mix;
        if (goldEvaluator is not null && (goldPrompts is null || goldPrompts.Count == 0))
            throw new ArgumentException("a gold evaluator needs held-out prompts to answer", nameof(goldPrompts));
        this.goldEvaluator = goldEvaluator;
        this.goldPrompts = goldPrompts ?? [];
        this.options = options.Validate();
        this.policy = policy;
        this.reference = reference;
        this.train = train;
        this.eval = eval;
        this.tokenizerFolder = tokenizerFolder;
        if (options.PrecomputeReference)
        {
            trainReference = ReferenceLogProbs.Compute(reference, train, options.Training.BatchSize);
            evalReference = ReferenceLogProbs.Compute(reference, eval, options.Training.BatchSize);
            reference.Dispose();
            this.reference = null;
        }
    }

    /// <summary>A frozen copy of <paramref name="policy"/> (same weights, no gradients, eval mode): the reference model.</summary>
    public static Gpt FrozenCopy(Gpt policy)
    {
        var copy = new Gpt(policy.Config, policy.Device);
        using (no_grad())
        {
            var source = policy.state_dict();
            foreach (var (name, tensor) in copy.state_dict()) tensor.copy_(source[name]);
        }
        foreach (var parameter in copy.parameters()) parameter.requires_grad = false;
        copy.eval();
        return copy;
    }

    /// <inheritdoc />
    public nn.Module Model => policy;

    /// <summary>Whether the reference model is still held (false once its log-probs were precomputed).</summary>
    public bool HoldsReferenceModel => reference is not null;

    /// <summary>Training pairs.</summary>
    public TokenizedPreferences TrainPairs => train;

    /// <summary>Held-out pairs.</summary>
    public TokenizedPreferences EvalPairs => eval;

    /// <summary>Step <paramref name="step"/>'s pairs: positions step * B * count onwards in a shuffled pass over the data,
    /// a fresh shuffle (seeded by seed and pass number) for every pass, so any step's data is known without replaying the run.</summary>
    public IReadOnlyList<DpoBatch> MicroBatches(int step, int count)
    {
        int size = options.Training.BatchSize;
        long first = (long)step * size * count;
        var indices = Enumerable.Range(0, size * count).Select(i => PairAt(first + i)).ToArray();
        return indices.Chunk(size).Select((chunk, micro) => MakeBatch(train, trainReference, chunk) with
        {
            Pretraining = mix?.Windows(options.Training.Seed, PretrainingStreamOffset + step * count + micro, policy.Device),
        }).ToList();
    }

    /// <summary>Offset of the pretraining mix's window draws from stage 0's, SFT's and the reward model's, so DPO reads other windows.</summary>
    const int PretrainingStreamOffset = Torch.RandomStreams.DpoPretrainingMix;

    /// <inheritdoc />
    public long CountLossItems(DpoBatch batch) => batch.Pairs;

    /// <summary>The batch's summed pair losses. With the pretraining mix on (training batches carry windows; held-out ones do
    /// not), adds coef * pairs * the mean next-token loss on the windows, so that after the trainer divides by the step's
    /// pairs the objective is DPO's mean loss + coef * the mean pretraining loss (Ouyang et al. 2022, eq. 2's gamma term).</summary>
    public MicroBatchLoss Loss(DpoBatch batch)
    {
        var logProbs = DpoForward.PairLogProbs(policy, batch.InputIds, batch.LossMask); // (N) each
        var pairs = DpoObjective.Compute(options, logProbs, batch.Reference);
        var lossSum = pairs.Losses.sum();
        if (mix is not null && batch.Pretraining is { } windows)
        {
            var metrics = new Dictionary<string, Tensor>(pairs.MetricSums);
            return new MicroBatchLoss(mix.AddTerm(lossSum, batch.Pairs, policy, windows, metrics), metrics);
        }
        return new MicroBatchLoss(lossSum, pairs.MetricSums);
    }

    /// <summary>The loss and the rewards/logps metrics averaged over the held-out pairs; with a gold evaluator also the
    /// gold judge's verdicts on the policy's answers to the held-out prompts (<c>gold/gold_mean</c>, <c>gold/helpfulness</c>, ...).</summary>
    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var sums = new Dictionary<string, double>();
        foreach (var chunk in Enumerable.Range(0, eval.Count).Chunk(options.Training.BatchSize))
        {
            using var scope = NewDisposeScope();
            var batch = MakeBatch(eval, evalReference, chunk);
            var output = Loss(batch);
            Add(sums, "loss", output.LossSum.item<float>());
            foreach (var (name, value) in output.MetricSums!) Add(sums, name, value.item<float>());
        }
        var metrics = sums.ToDictionary(s => s.Key, s => s.Value / eval.Count);
        if (goldEvaluator is not null)
            foreach (var (name, value) in goldEvaluator.Evaluate("dpo", policy, goldPrompts).Metrics.ToDictionary())
                metrics["gold/" + name] = value;
        return metrics;
    }

    /// <inheritdoc />
    public void SaveModel(string folder) =>
        Checkpoint.Save(folder, policy, policy.Config, tokenizerFolder, new Dictionary<string, string>
        {
            ["stage"] = "dpo", ["objective"] = options.ObjectiveName,
            ["loss"] = OptionsBinder.JsonName(options.Loss.ToString()), ["beta"] = options.Beta.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <inheritdoc />
    public void LoadModel(string folder) => Checkpoint.LoadInto(folder, policy);

    /// <summary>Frees the reference model if it is still held.</summary>
    public void Dispose()
    {
        reference?.Dispose();
        reference = null;
    }

    /// <summary>Collates <paramref name="indices"/> of <paramref name="data"/> and attaches the reference log-probs: looked up
    /// when precomputed, otherwise computed now by the reference model (no-grad, eval mode).</summary>
    DpoBatch MakeBatch(TokenizedPreferences data, ReferenceLogProbs? precomputed, int[] indices)
    {
        var (ids, lossMask) = data.Collate(indices); // (2N, T)
        PairLogProbs referenceLogProbs;
        if (precomputed is not null) referenceLogProbs = precomputed.For(indices);
        else
        {
            using var noGrad = no_grad();
            referenceLogProbs = DpoForward.PairLogProbs(reference!, ids, lossMask);
        }
        return new DpoBatch(ids, lossMask, referenceLogProbs, indices);
    }

    int PairAt(long position)
    {
        long pass = position / train.Count;
        if (!orders.TryGetValue(pass, out var order))
        {
            var random = Seeding.Derive(options.Training.Seed, RandomStreams.DataOrder + pass);
            order = Enumerable.Range(0, train.Count).ToArray();
            random.Shuffle(order);
            orders.Clear(); // one pass at a time is all a run needs
            orders[pass] = order;
        }
        return order[(int)(position % train.Count)];
    }

    static void Add(Dictionary<string, double> sums, string name, double value) => sums[name] = sums.GetValueOrDefault(name) + value;
}
