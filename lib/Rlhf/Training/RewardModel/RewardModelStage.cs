using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// Stage 2 for the shared <see cref="Trainer{TBatch}"/>: a scalar-head model learns to give the chosen response of each
/// pair a higher reward than the rejected one. Each micro-batch is N pairs collated into one (2N, T) forward pass
/// (<see cref="PreferenceBatch"/>); the reward is read at the last real token (end-of-text); the loss is the Bradley-Terry
/// loss summed over pairs (the trainer divides by the pairs of the whole step). Data order: the training pairs are
/// shuffled once per epoch with a generator derived from the seed and the epoch, so step s always sees the same pairs.
/// </summary>
public sealed class RewardModelStage : ITrainingStage<PreferenceBatch>
{
    readonly RewardModelOptions options;
    readonly ScalarHeadModel model;
    readonly TextTokenizer tokenizer;
    readonly IReadOnlyList<PreferenceExample> trainingPairs;
    readonly IReadOnlyList<PreferenceExample> heldOutPairs;
    readonly Dictionary<int, int[][]> epochBatches = [];
    readonly PretrainingMix? mix;

    /// <summary>A stage training <paramref name="model"/> (dropout should be 0: the two sides of a pair must see the same
    /// network) on <paramref name="trainingPairs"/>, evaluated on <paramref name="heldOutPairs"/>. With <paramref name="mix"/>,
    /// the backbone also keeps modelling pretraining text through its tied language-model head (see <see cref="Loss"/>).</summary>
    public RewardModelStage(RewardModelOptions options, ScalarHeadModel model, TextTokenizer tokenizer,
        IReadOnlyList<PreferenceExample> trainingPairs, IReadOnlyList<PreferenceExample> heldOutPairs, PretrainingMix? mix = null)
    {
        if (mix is not null && !model.Transformer.HasLanguageModelHead)
            throw new ArgumentException("the reward model's pretraining mix needs a backbone whose language-model head is tied to its token embedding (GptConfig.TieWeights)", nameof(mix));
        this.mix = mix;
        options.Validate();
        if (trainingPairs.Count == 0) throw new ArgumentException("no training pairs", nameof(trainingPairs));
        if (heldOutPairs.Count == 0) throw new ArgumentException("no held-out pairs", nameof(heldOutPairs));
        this.options = options;
        this.model = model;
        this.tokenizer = tokenizer;
        this.trainingPairs = trainingPairs;
        this.heldOutPairs = heldOutPairs;
    }

    /// <inheritdoc />
    public nn.Module Model => model;

    /// <summary>The network being trained.</summary>
    public ScalarHeadModel RewardNetwork => model;

    /// <inheritdoc />
    public IReadOnlyList<PreferenceBatch> MicroBatches(int step, int count) =>
        Enumerable.Range(0, count)
            .Select(micro => PreferenceBatch.Collate(BatchAt((long)step * count + micro), tokenizer.PadId, TorchRuntime.Device) with
            {
                Pretraining = mix?.Windows(options.Training.Seed, PretrainingStreamOffset + step * count + micro, TorchRuntime.Device),
            })
            .ToList();

    /// <summary>Offset of the pretraining mix's window draws from stage 0's and SFT's, so each stage reads other windows.</summary>
    const int PretrainingStreamOffset = Torch.RandomStreams.RewardModelPretrainingMix;

    /// <summary>
    /// The <paramref name="index"/>-th micro-batch of the endless stream of epochs. Each epoch shuffles the training pairs
    /// (a generator derived from the seed and the epoch), sorts each window of <see cref="LengthGroupBatches"/> batches
    /// by length so a batch pads to similar lengths (about half the padding of random batches: less compute for the same
    /// pairs), cuts batches and shuffles their order. The pairs left over when the count is not a multiple of the batch
    /// size sit out that epoch only (the next epoch's shuffle differs).
    /// </summary>
    IReadOnlyList<PreferenceExample> BatchAt(long index)
    {
        int batchSize = options.Training.BatchSize;
        int batchesPerEpoch = Math.Max(1, trainingPairs.Count / batchSize);
        int epoch = (int)(index / batchesPerEpoch);
        if (!epochBatches.TryGetValue(epoch, out var batches))
        {
            var random = Seeding.Derive(options.Training.Seed, RandomStreams.RewardModelPairOrder + epoch);
            var order = Enumerable.Range(0, trainingPairs.Count).ToArray();
            random.Shuffle(order);
            batches = order.Chunk(batchSize * LengthGroupBatches)
                .SelectMany(window => window.OrderBy(i => Math.Max(trainingPairs[i].Chosen.Length, trainingPairs[i].Rejected.Length)).Chunk(batchSize))
                .Where(batch => batch.Length == batchSize || trainingPairs.Count < batchSize)
                .Take(batchesPerEpoch)
                .ToArray();
            random.Shuffle(batches);
            epochBatches.Clear(); // only the current epoch is ever asked for again
            epochBatches[epoch] = batches;
        }
        return batches[index % batchesPerEpoch].Select(i => trainingPairs[i]).ToList();
    }

    /// <summary>Batches per window sorted by length (see <see cref="MicroBatches"/>).</summary>
    public const int LengthGroupBatches = 16;

    /// <inheritdoc />
    public long CountLossItems(PreferenceBatch batch) => batch.Pairs;

    /// <summary>
    /// The Bradley-Terry loss summed over the batch's pairs. With the pretraining mix on, adds coef * (the backbone's mean
    /// next-token loss on the batch's pretraining windows, through the head tied to the embedding) * pairs, so the step's
    /// objective is the mean BT loss + coef * the mean pretraining loss: a language-modelling regulariser on the reward
    /// model's hidden states (Yang et al. 2024, "Regularizing Hidden States Enables Learning Generalizable Reward Model for
    /// LLMs", with pretraining text rather than the chosen responses) that keeps the backbone's knowledge of entities no
    /// preference pair mentions. The metric <c>ptx_loss</c> is that mean pretraining loss.
    /// </summary>
    public MicroBatchLoss Loss(PreferenceBatch batch)
    {
        var rewards = model.LastTokenValues(batch.InputIds, batch.AttentionMask); // (2N)
        var (chosen, rejected) = PreferenceBatch.Split(rewards); // (N), (N)
        var margin = options.Margin > 0 ? full_like(chosen, options.Margin) : null; // (N)
        var losses = BradleyTerryLoss.PerPair(chosen, rejected, margin); // (N)
        var difference = (chosen - rejected).detach(); // (N)
        var metrics = new Dictionary<string, Tensor>
        {
            ["accuracy"] = difference.gt(0).to(ScalarType.Float32).sum(),
            ["margin"] = difference.sum(),
        };
        var lossSum = losses.sum(); // ()
        if (mix is not null && batch.Pretraining is { } windows) lossSum = mix.AddTerm(lossSum, batch.Pairs, model.Transformer, windows, metrics);
        return new MicroBatchLoss(lossSum, metrics);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var metrics = new Dictionary<string, double>(EvaluateHeldOut(options.EvalPairs).Metrics());
        if (options.TrainEvalPairs > 0)
            foreach (var (name, value) in PreferenceEvaluation.Score(model, First(trainingPairs, options.TrainEvalPairs), tokenizer.PadId,
                         options.EvalBatchPairs, options.Margin).Metrics("train_"))
                metrics[name] = value;
        return metrics;
    }

    /// <summary>Scores the first <paramref name="pairs"/> held-out pairs (0 = all).</summary>
    public PreferenceEvaluation EvaluateHeldOut(int pairs = 0) =>
        PreferenceEvaluation.Score(model, First(heldOutPairs, pairs), tokenizer.PadId, options.EvalBatchPairs, options.Margin);

    /// <inheritdoc />
    public void SaveModel(string folder) => RewardModel.SaveWeights(folder, model, tokenizer, null, ScalarType.Float32);

    /// <summary>The shipped weights: stored as <see cref="RewardModelOptions.StoreAs"/> with the run's seed, steps and
    /// starting checkpoint in the header; <see cref="RewardModelTraining.Run"/> then adds the normalisation beside them.</summary>
    public void SaveFinalModel(string folder) => RewardModel.SaveWeights(folder, model, tokenizer, new Dictionary<string, string>
    {
        ["seed"] = options.Training.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["steps"] = options.Training.MaxSteps.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["init_from"] = options.InitFrom ?? "random",
    }, options.StoreAs);

    /// <inheritdoc />
    public void LoadModel(string folder) => Checkpoint.LoadInto(folder, model);

    static IReadOnlyList<PreferenceExample> First(IReadOnlyList<PreferenceExample> pairs, int count) =>
        count <= 0 || count >= pairs.Count ? pairs : pairs.Take(count).ToList();
}
