using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// Supervised fine-tuning as a stage of the shared <see cref="Trainer{TBatch}"/>: next-token cross-entropy on the
/// response tokens and the end-of-text only (the chat template's loss mask, shifted with the targets), summed so the
/// trainer can normalise by the loss tokens of the whole step. Prompt tokens are read but never trained on; padding is
/// neither attended to nor trained on.
/// </summary>
public sealed class SftStage : ITrainingStage<SftBatch>
{
    readonly Gpt model;
    readonly SftDataset data;
    readonly TrainingOptions training;
    readonly string tokenizerFolder;
    readonly int padId;
    readonly ScalarType finalStoreAs;
    readonly IReadOnlyDictionary<string, string> finalMetadata;
    readonly Dictionary<long, int[]> epochOrders = [];
    readonly PretrainingMix? mix;

    /// <summary>A stage training <paramref name="model"/> on <paramref name="data"/>; checkpoints carry the tokenizer in
    /// <paramref name="tokenizerFolder"/>. The final model is stored as <paramref name="finalStoreAs"/> with
    /// <paramref name="finalMetadata"/> (default: Float32, stage "sft"). With <paramref name="mix"/>, every micro-batch
    /// also trains on windows of pretraining text (see <see cref="Loss"/>).</summary>
    public SftStage(Gpt model, SftDataset data, TrainingOptions training, string tokenizerFolder, int padId,
        ScalarType finalStoreAs = ScalarType.Float32, IReadOnlyDictionary<string, string>? finalMetadata = null,
        PretrainingMix? mix = null)
    {
        this.mix = mix;
        this.finalStoreAs = finalStoreAs;
        this.finalMetadata = finalMetadata ?? new Dictionary<string, string> { ["stage"] = "sft" };
        this.model = model;
        this.data = data;
        this.training = training;
        this.tokenizerFolder = tokenizerFolder;
        this.padId = padId;
        int longest = data.Train.Concat(data.Eval).Max(e => e.Length);
        if (longest > model.ContextLength)
            throw new ArgumentException($"the longest SFT example has {longest} tokens, more than the model's context of {model.ContextLength}; lower max_length.");
    }

    /// <inheritdoc/>
    public nn.Module Model => model;

    /// <summary>The data trained and evaluated on.</summary>
    public SftDataset Data => data;

    /// <summary>
    /// Sequence k of the run (k = (step * count + micro) * batch + row) is training example order_e[k mod N] of epoch
    /// e = k / N, where order_e is a permutation seeded by (seed, e): every example once per epoch, a fresh order each
    /// epoch, and the same examples for the same step however the run was interrupted.
    /// </summary>
    public IReadOnlyList<SftBatch> MicroBatches(int step, int count) =>
        ExampleIndices(step, count).Select((rows, micro) => SftBatch.From(rows.Select(i => data.Train[i]).ToList(), padId, model.Device) with
        {
            Pretraining = mix?.Windows(training.Seed, PretrainingStreamOffset + step * count + micro, model.Device),
        }).ToList();

    /// <summary>Offset of the pretraining mix's window draws from stage 0's (which use the step itself), so SFT reads other windows.</summary>
    const int PretrainingStreamOffset = Torch.RandomStreams.SftPretrainingMix;

    /// <summary>The training-example indices of each of the <paramref name="count"/> micro-batches of <paramref name="step"/>
    /// (see <see cref="MicroBatches"/>).</summary>
    public IReadOnlyList<int[]> ExampleIndices(int step, int count)
    {
        int n = data.Train.Count, size = training.BatchSize;
        var batches = new List<int[]>(count);
        for (int micro = 0; micro < count; micro++)
        {
            long first = ((long)step * count + micro) * size;
            batches.Add(Enumerable.Range(0, size).Select(row => Order((first + row) / n)[(int)((first + row) % n)]).ToArray());
        }
        return batches;
    }

    int[] Order(long epoch)
    {
        if (epochOrders.TryGetValue(epoch, out var order)) return order;
        order = Enumerable.Range(0, data.Train.Count).ToArray();
        Seeding.Derive(training.Seed, RandomStreams.DataOrder + epoch).Shuffle(order);
        epochOrders[epoch] = order;
        return order;
    }

    /// <inheritdoc/>
    public long CountLossItems(SftBatch batch) => batch.LossTokens;

    /// <summary>
    /// Summed next-token loss on the response tokens. With the pretraining mix on, adds coef * (mean next-token loss on the
    /// batch's pretraining windows) * (the batch's response tokens), so that after the trainer divides by the step's response
    /// tokens the objective is SFT's mean loss + coef * the mean pretraining loss (the ptx term of Ouyang et al. 2022, eq. 2,
    /// used here to keep pretrained knowledge through SFT); the metric <c>ptx_loss</c> is that mean pretraining loss.
    /// </summary>
    public MicroBatchLoss Loss(SftBatch batch)
    {
        var logits = model.forward(batch.Inputs, batch.AttentionMask, null); // (B, T-1, V)
        var lossSum = LanguageModelLoss.MaskedCrossEntropySum(logits, batch.Targets, batch.LossMask); // ()
        var correct = (logits.argmax(-1).eq(batch.Targets).to(ScalarType.Float32) * batch.LossMask).sum(); // () right next-token guesses
        var metrics = new Dictionary<string, Tensor> { ["token_accuracy"] = correct };
        if (mix is not null && batch.Pretraining is { } windows) lossSum = mix.AddTerm(lossSum, batch.LossTokens, model, windows, metrics);
        return new MicroBatchLoss(lossSum, metrics);
    }

    /// <summary>Held-out loss and next-token accuracy per response token over every held-out example.</summary>
    public IReadOnlyDictionary<string, double> Evaluate()
    {
        using var scope = NewDisposeScope();
        var lossSum = zeros(1, device: model.Device).squeeze();
        var correctSum = zeros(1, device: model.Device).squeeze();
        long tokens = 0;
        foreach (var chunk in data.Eval.Chunk(training.BatchSize))
        {
            var batch = SftBatch.From(chunk, padId, model.Device);
            var output = Loss(batch);
            lossSum = lossSum + output.LossSum;
            correctSum = correctSum + output.MetricSums!["token_accuracy"];
            tokens += batch.LossTokens;
        }
        return new Dictionary<string, double>
        {
            ["loss"] = lossSum.item<float>() / tokens,
            ["token_accuracy"] = correctSum.item<float>() / tokens,
        };
    }

    /// <summary>Writes the model (Float32, so a resume is exact), its config and the tokenizer.</summary>
    public void SaveModel(string folder) =>
        Checkpoint.Save(folder, model, model.Config, tokenizerFolder, new Dictionary<string, string> { ["stage"] = "sft" });

    /// <inheritdoc/>
    public void SaveFinalModel(string folder) =>
        Checkpoint.Save(folder, model, model.Config, tokenizerFolder, finalMetadata, finalStoreAs);

    /// <inheritdoc/>
    public void LoadModel(string folder) => Checkpoint.LoadInto(folder, model);
}
