using Rlhf.Models;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// The pretraining mix of a fine-tuning stage (the ptx term of Ouyang et al. 2022, eq. 2), as SFT, the reward model and DPO use
/// it: each micro-batch draws <see cref="PretrainingMixOptions.Windows"/> windows of pretraining text and adds
/// <see cref="PretrainingMixOptions.Coef"/> times the model's mean next-token loss on them, so fine-tuning keeps what
/// pretraining taught.
/// </summary>
/// <param name="Text">The pretraining corpus, split as stage 0 splits it (only its training part is read).</param>
/// <param name="Options">Coefficient, windows per micro-batch and their length.</param>
public sealed record PretrainingMix(PretrainingText Text, PretrainingMixOptions Options)
{
    /// <summary>The windows (inputs, targets) (W, L) each of draw <paramref name="draw"/>: a pure function of
    /// (<paramref name="seed"/>, <paramref name="draw"/>).</summary>
    public (Tensor Inputs, Tensor Targets) Windows(long seed, int draw, Device device) =>
        Text.TrainingWindows(seed, draw, Options.Windows, Options.WindowLength, device);

    /// <summary>
    /// <paramref name="lossSum"/> (a stage's loss summed over its <paramref name="items"/> loss items) plus coef * items *
    /// the mean next-token loss of <paramref name="model"/> on <paramref name="windows"/> (eq. 2's gamma term), so that after
    /// the trainer divides by the step's items the objective is the stage's mean loss + coef * the mean pretraining loss.
    /// Records that mean, weighted like the stage's metrics, as <c>ptx_loss</c> in <paramref name="metrics"/>.
    /// </summary>
    public Tensor AddTerm(Tensor lossSum, long items, Gpt model, (Tensor Inputs, Tensor Targets) windows, IDictionary<string, Tensor> metrics)
    {
        var pretrainingLoss = PretrainingText.MeanTokenLoss(model, windows.Inputs, windows.Targets); // () nats per token
        metrics["ptx_loss"] = pretrainingLoss.detach() * items;
        return lossSum + Options.Coef * items * pretrainingLoss;
    }
}
