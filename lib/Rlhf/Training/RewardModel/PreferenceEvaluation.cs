using Rlhf.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// How well a reward model ranks preference pairs, measured two ways: against the <b>labels</b> (what it was trained
/// to reproduce, noisy: TinyWorld's simulated annotators agree with the gold order on about 87% of pairs) and against
/// the <b>gold order</b> (what we actually want). Accuracy against gold above the labels' own agreement means the
/// model learnt the preference behind the noise rather than the noise.
/// </summary>
/// <param name="ChosenRewards">Raw reward of each pair's chosen response.</param>
/// <param name="RejectedRewards">Raw reward of each pair's rejected response.</param>
/// <param name="GoldChosen">Gold score of each chosen response (null where the judge cannot score the prompt).</param>
/// <param name="GoldRejected">Gold score of each rejected response (null likewise).</param>
/// <param name="Margin">The margin m of the loss reported in <see cref="Loss"/>.</param>
public sealed record PreferenceEvaluation(
    IReadOnlyList<double> ChosenRewards, IReadOnlyList<double> RejectedRewards,
    IReadOnlyList<double?> GoldChosen, IReadOnlyList<double?> GoldRejected, double Margin = 0.0)
{
    /// <summary>Pairs scored.</summary>
    public int Pairs => ChosenRewards.Count;

    /// <summary>Share of pairs whose chosen response gets the strictly higher reward (agreement with the labels).</summary>
    public double Accuracy => Enumerable.Range(0, Pairs).Count(i => ChosenRewards[i] > RejectedRewards[i]) / (double)Pairs;

    /// <summary>Mean of r_chosen - r_rejected.</summary>
    public double MeanMargin => Enumerable.Range(0, Pairs).Average(i => ChosenRewards[i] - RejectedRewards[i]);

    /// <summary>Mean Bradley-Terry loss -log sigmoid(r_chosen - r_rejected - m) = softplus(-(r_chosen - r_rejected - m)).</summary>
    public double Loss => Enumerable.Range(0, Pairs).Average(i => Softplus(-(ChosenRewards[i] - RejectedRewards[i] - Margin)));

    /// <summary>Pairs the gold judge could not score (prompts from outside TinyWorld); left out of the gold numbers.</summary>
    public int GoldUnscorable => Enumerable.Range(0, Pairs).Count(i => GoldChosen[i] is null || GoldRejected[i] is null);

    /// <summary>Scored pairs whose two responses have the same gold score: there is no gold order to agree with, so they are
    /// left out of <see cref="GoldAccuracy"/> and <see cref="LabelGoldAgreement"/>.</summary>
    public int GoldTies => GoldIndices(tied: true).Count();

    /// <summary>Pairs with a gold order (scorable and not tied): the denominator of the gold numbers.</summary>
    public int GoldPairs => GoldIndices(tied: false).Count();

    /// <summary>Share of <see cref="GoldPairs"/> the reward model orders as the gold judge does (a reward tie counts as wrong).</summary>
    public double GoldAccuracy => Share(i => Math.Sign(ChosenRewards[i] - RejectedRewards[i]) == Math.Sign(GoldChosen[i]!.Value - GoldRejected[i]!.Value));

    /// <summary>Share of <see cref="GoldPairs"/> whose label agrees with the gold order: the ceiling a model that copies the
    /// labels perfectly would reach against gold, and the measure of the label noise.</summary>
    public double LabelGoldAgreement => Share(i => GoldChosen[i]!.Value > GoldRejected[i]!.Value);

    /// <summary>The numbers as metrics: accuracy, margin, loss, gold_accuracy, label_gold_agreement (names prefixed by <paramref name="prefix"/>).</summary>
    public IReadOnlyDictionary<string, double> Metrics(string prefix = "")
    {
        var metrics = new Dictionary<string, double>
        {
            [prefix + "accuracy"] = Accuracy, [prefix + "margin"] = MeanMargin, [prefix + "loss"] = Loss,
        };
        if (GoldPairs > 0)
        {
            metrics[prefix + "gold_accuracy"] = GoldAccuracy;
            metrics[prefix + "label_gold_agreement"] = LabelGoldAgreement;
        }
        return metrics;
    }

    /// <summary>
    /// Scores <paramref name="examples"/> with <paramref name="model"/> (raw rewards at the last real token), chosen and
    /// rejected of <paramref name="batchPairs"/> pairs at a time in one forward pass, in eval mode without gradients
    /// (the model's mode is restored).
    /// </summary>
    public static PreferenceEvaluation Score(ScalarHeadModel model, IReadOnlyList<PreferenceExample> examples, int padId,
        int batchPairs = 64, double margin = 0.0)
    {
        if (examples.Count == 0) throw new ArgumentException("no preference pairs to evaluate", nameof(examples));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchPairs, 1);
        bool wasTraining = model.training;
        model.eval();
        var chosen = new double[examples.Count];
        var rejected = new double[examples.Count];
        // Batches of similar length pad less; the rewards go back to the pairs' own order.
        var byLength = Enumerable.Range(0, examples.Count).OrderBy(i => Math.Max(examples[i].Chosen.Length, examples[i].Rejected.Length)).ToArray();
        try
        {
            using var noGrad = no_grad();
            foreach (var chunk in byLength.Chunk(batchPairs))
            {
                using var scope = NewDisposeScope();
                var batch = PreferenceBatch.Collate(chunk.Select(i => examples[i]).ToList(), padId, model.Transformer.Device);
                var rewards = model.LastTokenValues(batch.InputIds, batch.AttentionMask); // (2N)
                var (chosenRewards, rejectedRewards) = PreferenceBatch.Split(rewards); // (N), (N)
                var chosenValues = chosenRewards.cpu().to(ScalarType.Float64).data<double>().ToArray();
                var rejectedValues = rejectedRewards.cpu().to(ScalarType.Float64).data<double>().ToArray();
                for (int k = 0; k < chunk.Length; k++)
                {
                    chosen[chunk[k]] = chosenValues[k];
                    rejected[chunk[k]] = rejectedValues[k];
                }
            }
        }
        finally
        {
            if (wasTraining) model.train();
        }
        return new PreferenceEvaluation(chosen, rejected,
            examples.Select(e => e.GoldChosen).ToList(), examples.Select(e => e.GoldRejected).ToList(), margin);
    }

    IEnumerable<int> GoldIndices(bool tied) => Enumerable.Range(0, Pairs)
        .Where(i => GoldChosen[i] is { } c && GoldRejected[i] is { } r && (c == r) == tied);

    double Share(Func<int, bool> predicate)
    {
        var indices = GoldIndices(tied: false).ToList();
        return indices.Count == 0 ? double.NaN : indices.Count(predicate) / (double)indices.Count;
    }

    static double Softplus(double x) => x > 30 ? x : Math.Log(1 + Math.Exp(x));
}
