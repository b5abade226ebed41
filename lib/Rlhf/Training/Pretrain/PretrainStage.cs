using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>One pretraining micro-batch: (B, T) input ids and the (B, T) ids that follow them.</summary>
/// <param name="Inputs">(B, T) int64 token ids.</param>
/// <param name="Targets">(B, T) int64: the token after each input.</param>
public sealed record PretrainBatch(Tensor Inputs, Tensor Targets);

/// <summary>
/// Language modelling for <see cref="Trainer{TBatch}"/>: random windows of the training stream, every token a loss
/// token (mask of ones), next-token cross-entropy; evaluation on consecutive windows of the held-out stream.
/// </summary>
public sealed class PretrainStage : ITrainingStage<PretrainBatch>
{
    readonly PretrainOptions options;
    readonly PretrainData data;
    readonly string tokenizerFolder;
    readonly Gpt model;

    /// <summary>Seeds torch with the training seed and builds a fresh <see cref="Gpt"/> of <paramref name="config"/>.</summary>
    /// <param name="options">The stage's options (seed, batch size, evaluation windows).</param>
    /// <param name="data">The tokenised train and held-out streams.</param>
    /// <param name="config">The model shape (its vocabulary must cover the tokenizer's ids).</param>
    /// <param name="tokenizerFolder">Copied into every saved model folder.</param>
    public PretrainStage(PretrainOptions options, PretrainData data, GptConfig config, string tokenizerFolder)
    {
        this.options = options.Validate();
        this.data = data;
        this.tokenizerFolder = tokenizerFolder;
        Seeding.Seed(options.Training.Seed);
        model = new Gpt(config, TorchRuntime.Device);
    }

    /// <summary>The model being trained.</summary>
    public Gpt Gpt => model;

    /// <inheritdoc />
    public nn.Module Model => model;

    /// <summary>Tokens per window (inputs) = the model's context length.</summary>
    public int ContextLength => model.ContextLength;

    /// <inheritdoc />
    public IReadOnlyList<PretrainBatch> MicroBatches(int step, int count)
    {
        int batchSize = options.Training.BatchSize;
        var starts = PretrainData.WindowStarts(options.Training.Seed, step, batchSize * count, data.TrainTokens.Length, ContextLength + 1);
        return starts.Chunk(batchSize).Select(chunk => Make(data.TrainTokens, chunk)).ToList();
    }

    /// <summary>The micro-batch of windows of <paramref name="stream"/> starting at <paramref name="starts"/>.</summary>
    public PretrainBatch Make(int[] stream, IReadOnlyList<int> starts)
    {
        int t = ContextLength;
        var inputs = new long[starts.Count * t];
        var targets = new long[starts.Count * t];
        for (int b = 0; b < starts.Count; b++)
        {
            var (x, y) = PretrainData.Window(stream, starts[b], t);
            x.CopyTo(inputs, b * t);
            y.CopyTo(targets, b * t);
        }
        return new PretrainBatch(
            tensor(inputs, [starts.Count, t], device: TorchRuntime.Device),   // (B, T)
            tensor(targets, [starts.Count, t], device: TorchRuntime.Device)); // (B, T)
    }

    /// <inheritdoc />
    public long CountLossItems(PretrainBatch batch) => batch.Targets.numel();

    /// <inheritdoc />
    public MicroBatchLoss Loss(PretrainBatch batch)
    {
        var logits = model.forward(batch.Inputs);                                       // (B, T, V)
        var mask = ones_like(batch.Targets, dtype: ScalarType.Float32);                 // (B, T): every token counts
        return new MicroBatchLoss(LanguageModelLoss.MaskedCrossEntropySum(logits, batch.Targets, mask));
    }

    /// <summary>Mean next-token loss per held-out token over up to <see cref="PretrainOptions.EvalWindows"/> consecutive
    /// windows, and its perplexity exp(loss).</summary>
    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var starts = PretrainData.EvalWindowStarts(data.EvalTokens.Length, ContextLength, options.EvalWindows);
        double lossSum = 0;
        long tokens = 0;
        foreach (var chunk in starts.Chunk(options.Training.BatchSize))
        {
            using var scope = NewDisposeScope();
            var batch = Make(data.EvalTokens, chunk);
            lossSum += Loss(batch).LossSum.item<float>();
            tokens += batch.Targets.numel();
        }
        double loss = lossSum / tokens;
        return new Dictionary<string, double> { ["loss"] = loss, ["perplexity"] = Math.Exp(loss) };
    }

    /// <summary>Saves the model in Float32 with its config and tokenizer (what resumable checkpoints need).</summary>
    public void SaveModel(string folder) => Save(folder, ScalarType.Float32);

    /// <summary>The final model as <see cref="PretrainOptions.StoreAs"/> (Float16 by default).</summary>
    public void SaveFinalModel(string folder) => Save(folder, options.StoreAs);

    /// <summary>Saves the model with its config, tokenizer and stage metadata, storing floats as <paramref name="storeAs"/>.</summary>
    public void Save(string folder, ScalarType storeAs) =>
        Checkpoint.Save(folder, model, model.Config, tokenizerFolder,
            new Dictionary<string, string> { ["stage"] = "pretrain", ["seed"] = options.Training.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            storeAs);

    /// <inheritdoc />
    public void LoadModel(string folder) => Checkpoint.LoadInto(folder, model);
}
