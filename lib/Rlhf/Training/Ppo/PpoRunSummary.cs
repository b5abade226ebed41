using Rlhf.Plots;

namespace Rlhf.Training;

/// <summary>
/// One PPO run in one row, for notebook 07's comparisons: each measure is the mean over the run's last few iterations
/// (one rollout of 16 responses is noisy), NaN when the run did not log it.
/// </summary>
/// <param name="Name">What the run changed, e.g. <c>"kl_coef 0.2"</c>.</param>
/// <param name="RmScore">objective/rm_score: the reward PPO optimised, before the end-of-text and length penalties.</param>
/// <param name="Gold">gold/score: the gold judge's mean score of the rollouts (never seen by PPO).</param>
/// <param name="Length">response/length in tokens.</param>
/// <param name="Kl">objective/kl: the per-response KL to the reference (nats).</param>
/// <param name="Distinct2">response/distinct_2: the share of distinct bigrams in the rollouts.</param>
/// <param name="Entropy">response/entropy: mean per-token entropy of the sampling distribution (nats).</param>
/// <param name="PretrainLoss">pretrain/lm_loss at the end of the run: held-out pretraining loss (nats per token).</param>
public sealed record PpoRunSummary(string Name, double RmScore, double Gold, double Length, double Kl, double Distinct2, double Entropy, double PretrainLoss)
{
    /// <summary>Summarises <paramref name="history"/>: means over the last <paramref name="lastIterations"/> iterations,
    /// and the last held-out pretraining loss.</summary>
    public static PpoRunSummary Of(string name, MetricsHistory history, int lastIterations = 3)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastIterations, 1);
        double Tail(string metric)
        {
            var values = history.Series(metric);
            return values.Count == 0 ? double.NaN : values.TakeLast(lastIterations).Average(p => p.Value);
        }
        return new PpoRunSummary(name, Tail("objective/rm_score"), Tail("gold/score"), Tail("response/length"), Tail("objective/kl"),
            Tail("response/distinct_2"), Tail("response/entropy"), history.Last("pretrain/lm_loss") ?? double.NaN);
    }

    /// <summary>The runs as a table with the columns <paramref name="columns"/> (names of this record's measures, e.g.
    /// <c>"Gold"</c>, <c>"Length"</c>), in that order after the run's name.</summary>
    public static HtmlTable Table(string caption, IEnumerable<PpoRunSummary> runs, params string[] columns)
    {
        var headers = new Dictionary<string, (string Header, Func<PpoRunSummary, object?> Value)>
        {
            [nameof(RmScore)] = ("RM score (optimised)", r => r.RmScore),
            [nameof(Gold)] = ("gold score", r => r.Gold),
            [nameof(Length)] = ("length (tokens)", r => r.Length),
            [nameof(Kl)] = ("KL (nats)", r => r.Kl),
            [nameof(Distinct2)] = ("distinct-2", r => r.Distinct2),
            [nameof(Entropy)] = ("entropy (nats/token)", r => r.Entropy),
            [nameof(PretrainLoss)] = ("held-out LM loss", r => r.PretrainLoss),
        };
        var unknown = columns.FirstOrDefault(c => !headers.ContainsKey(c));
        if (unknown is not null) throw new ArgumentException($"unknown column '{unknown}'; known: {string.Join(", ", headers.Keys)}", nameof(columns));
        return HtmlTable.From(caption, runs, [("run", r => r.Name), .. columns.Select(c => headers[c])]);
    }

    /// <summary>Gao et al. 2022's picture of one run: the RM score and the gold score of each iteration's rollouts against
    /// that iteration's KL to the reference, as two connected groups of points.</summary>
    public static IReadOnlyList<LabeledPoint> AgainstKl(MetricsHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var kl = history.Series("objective/kl");
        var rm = history.Series("objective/rm_score");
        var gold = history.Series("gold/score");
        if (rm.Count != kl.Count || gold.Count != kl.Count) throw new ArgumentException("the history needs objective/kl, objective/rm_score and gold/score at every iteration", nameof(history));
        return [.. kl.Zip(rm, (k, r) => new LabeledPoint(k.Value, r.Value, "", "RM score (normalised)")),
                .. kl.Zip(gold, (k, g) => new LabeledPoint(k.Value, g.Value, "", "gold score (0-1)"))];
    }
}
