using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>What one micro-batch's forward pass gives the loop: sums over its loss items (tokens or pairs), never means,
/// so the loop can normalise by the items of all accumulated micro-batches together.</summary>
/// <param name="LossSum">Scalar tensor: the loss summed over the micro-batch's loss items (keeps its graph).</param>
/// <param name="MetricSums">Optional scalar tensors summed over the same items (e.g. correct pairs); reported per item.</param>
public sealed record MicroBatchLoss(Tensor LossSum, IReadOnlyDictionary<string, Tensor>? MetricSums = null);

/// <summary>
/// What a stage (pretraining, SFT, reward model, DPO) supplies to the shared <see cref="Trainer{TBatch}"/>:
/// the model, deterministic data, and a loss. The trainer owns the optimizer, schedule, accumulation,
/// clipping, evaluation cadence, checkpoints and the NaN guard.
/// </summary>
/// <typeparam name="TBatch">One micro-batch (tensors created inside the step's dispose scope).</typeparam>
public interface ITrainingStage<TBatch>
{
    /// <summary>The module being trained (its trainable parameters are optimised).</summary>
    nn.Module Model { get; }

    /// <summary>The <paramref name="count"/> micro-batches of optimizer step <paramref name="step"/>: a pure function of
    /// the seed and the step, so a resumed run sees exactly the data an uninterrupted one would.</summary>
    IReadOnlyList<TBatch> MicroBatches(int step, int count);

    /// <summary>The number of loss items (tokens with mask 1, or pairs) in <paramref name="batch"/>, known before any forward pass.</summary>
    long CountLossItems(TBatch batch);

    /// <summary>The summed loss of <paramref name="batch"/> (training mode, with gradients).</summary>
    MicroBatchLoss Loss(TBatch batch);

    /// <summary>Held-out metrics; the trainer calls it in eval mode under no-grad.</summary>
    IReadOnlyDictionary<string, double> Evaluate();

    /// <summary>Writes the model (weights, config, tokenizer) into <paramref name="folder"/>.</summary>
    void SaveModel(string folder);

    /// <summary>Loads the weights written by <see cref="SaveModel"/> into <see cref="Model"/>.</summary>
    void LoadModel(string folder);

    /// <summary>Writes the model the stage's output folder keeps at the end of training (the trainer calls it once, then
    /// writes the history beside it). Default: as <see cref="SaveModel"/>; a stage that ships its model in another
    /// precision or with more metadata says so here, so the final model is written once.</summary>
    void SaveFinalModel(string folder) => SaveModel(folder);
}
