using Rlhf.Models;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// The linear-probe step of LP-FT (Kumar et al. 2022): the reward model's scalar head fitted alone on the frozen backbone's
/// last-token features of the training pairs, as a Bradley-Terry logistic regression, minimise
/// mean_i -log sigmoid(w . (h_chosen_i - h_rejected_i)) + l2 * |w|^2 by full-batch Adam. The bias cancels in every
/// difference, so it is set to 0. Fine-tuning then starts from a head that already ranks pairs.
/// </summary>
public static class LinearProbeHead
{
    /// <summary>Fits and sets <paramref name="model"/>'s head on <paramref name="pairs"/>; returns the final probe loss
    /// (mean Bradley-Terry loss, without the L2 term).</summary>
    /// <param name="model">The reward model; only its head changes.</param>
    /// <param name="pairs">Training pairs.</param>
    /// <param name="padId">The tokenizer's padding id.</param>
    /// <param name="batchPairs">Pairs per no-grad forward pass when computing the features.</param>
    /// <param name="iterations">Full-batch Adam steps. Default 500.</param>
    /// <param name="learningRate">Adam's learning rate. Default 0.01.</param>
    /// <param name="l2">Weight of the L2 penalty on w. Default 1e-3.</param>
    public static double Fit(ScalarHeadModel model, IReadOnlyList<PreferenceExample> pairs, int padId, int batchPairs,
        int iterations = 500, double learningRate = 0.01, double l2 = 1e-3)
    {
        if (pairs.Count == 0) throw new ArgumentException("no pairs to fit the probe on", nameof(pairs));
        using var scope = NewDisposeScope();
        var (chosen, rejected) = Features(model, pairs, padId, batchPairs); // (P, C) each
        var weight = new TorchSharp.Modules.Parameter(zeros(chosen.shape[1], device: chosen.device)); // (C)
        Tensor ProbeLoss() => BradleyTerryLoss.PerPair(chosen.matmul(weight), rejected.matmul(weight)).mean(); // ()
        var optimizer = optim.Adam([weight], learningRate);
        for (int i = 0; i < iterations; i++)
        {
            using var step = NewDisposeScope();
            optimizer.zero_grad();
            var loss = ProbeLoss() + l2 * weight.square().sum();
            loss.backward();
            optimizer.step();
        }
        using (no_grad())
        {
            model.SetHead(weight.detach(), 0.0);
            return ProbeLoss().item<float>();
        }
    }

    /// <summary>h_chosen and h_rejected (P, C) each at the last real token of every pair, under no-grad.</summary>
    static (Tensor Chosen, Tensor Rejected) Features(ScalarHeadModel model, IReadOnlyList<PreferenceExample> pairs, int padId, int batchPairs)
    {
        using var noGrad = no_grad();
        bool wasTraining = model.training;
        model.eval();
        var chosenParts = new List<Tensor>();
        var rejectedParts = new List<Tensor>();
        foreach (var chunk in pairs.Chunk(Math.Max(1, batchPairs)))
        {
            using var batchScope = NewDisposeScope();
            var batch = PreferenceBatch.Collate(chunk, padId, model.Transformer.Device);
            var features = model.LastTokenFeatures(batch.InputIds, batch.AttentionMask); // (2N, C)
            var (chosen, rejected) = PreferenceBatch.Split(features); // (N, C) each
            chosenParts.Add(chosen.MoveToOuterDisposeScope());
            rejectedParts.Add(rejected.MoveToOuterDisposeScope());
        }
        if (wasTraining) model.train();
        return (cat(chosenParts, 0), cat(rejectedParts, 0)); // (P, C) each
    }
}
