using System.Globalization;
using Rlhf.Plots;

namespace Rlhf.Evaluation;

/// <summary>One training seed's held-out figures against the policy the run started from (the SFT model).</summary>
/// <param name="Seed">The run's seed.</param>
/// <param name="GoldMean">Mean gold score of the trained policy on the held-out prompts.</param>
/// <param name="StartGoldMean">Mean gold score of the starting policy on the same prompts.</param>
/// <param name="WinRate">Gold win rate of the trained policy against the start, prompt by prompt, ties counted half.</param>
/// <param name="KlToStart">Mean per-response KL(policy || start) of sampled responses where the run measures it (PPO); null otherwise.</param>
public sealed record SeedRun(long Seed, double GoldMean, double StartGoldMean, double WinRate, double? KlToStart = null);

/// <summary>How far one figure moves with the seed alone.</summary>
/// <param name="Mean">Mean over the seeds.</param>
/// <param name="StandardDeviation">Sample standard deviation between the seeds (n - 1); 0 for a single seed. This is the
/// spread of one run's figure, not the standard error of the mean.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Count">Number of seeds.</param>
public sealed record SeedSpread(double Mean, double StandardDeviation, double Min, double Max, int Count)
{
    /// <summary>The spread of <paramref name="values"/>, one per seed.</summary>
    public static SeedSpread Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("a spread over seeds needs at least one value", nameof(values));
        double mean = values.Average();
        double min = values.Min(), max = values.Max();
        // Equal values have no spread; the sum of squares would leave rounding noise (1e-16) from the mean.
        double deviation = values.Count < 2 || min == max ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new SeedSpread(mean, deviation, min, max, values.Count);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Mean:F3} (s.d. {StandardDeviation:F3}, {Min:F3} to {Max:F3})");

    /// <summary>The rows a per-seed table ends with: "mean", "s.d.", "min" and "max", each followed by that statistic of every
    /// column's spread, in order.</summary>
    public static IReadOnlyList<IReadOnlyList<object?>> SummaryRows(IReadOnlyList<SeedSpread> columns) =>
        new (string Name, Func<SeedSpread, double> Pick)[] { ("mean", s => s.Mean), ("s.d.", s => s.StandardDeviation), ("min", s => s.Min), ("max", s => s.Max) }
            .Select(statistic => (IReadOnlyList<object?>)[statistic.Name, .. columns.Select(c => (object?)statistic.Pick(c))])
            .ToList();
}

/// <summary>
/// The same training recipe run once per seed, each run evaluated on the same held-out prompts. A recipe "beats SFT" only
/// if it does so across seeds: with the course defaults, ten PPO seeds gave gold means from 0.413 to 0.491 against SFT's
/// 0.439 (docs/results/04-ppo.md), so one run says little about the recipe.
/// </summary>
public sealed class SeedSweep
{
    /// <summary>A sweep over <paramref name="runs"/>: at least one, each seed once.</summary>
    public SeedSweep(IReadOnlyList<SeedRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("a seed sweep needs at least one run", nameof(runs));
        var repeated = runs.GroupBy(r => r.Seed).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"seed {repeated.Key} appears {repeated.Count()} times in the sweep", nameof(runs));
        Runs = runs.ToArray();
    }

    /// <summary>The runs, in the order they were given.</summary>
    public IReadOnlyList<SeedRun> Runs { get; }

    /// <summary>The trained policies' mean gold score across seeds.</summary>
    public SeedSpread GoldMean => SeedSpread.Of(Runs.Select(r => r.GoldMean).ToList());

    /// <summary>The gold win rate against the start across seeds.</summary>
    public SeedSpread WinRate => SeedSpread.Of(Runs.Select(r => r.WinRate).ToList());

    /// <summary>The KL to the start across seeds, when every run measured it; null otherwise.</summary>
    public SeedSpread? KlToStart => Runs.All(r => r.KlToStart is not null) ? SeedSpread.Of(Runs.Select(r => r.KlToStart!.Value).ToList()) : null;

    /// <summary>Seeds whose trained policy has a higher mean gold score than the start.</summary>
    public int SeedsAboveStart => Runs.Count(r => r.GoldMean > r.StartGoldMean);

    /// <summary>Seeds whose gold win rate is above <paramref name="winRate"/> (e.g. 0.55).</summary>
    public int SeedsWithWinRateAbove(double winRate) => Runs.Count(r => r.WinRate > winRate);

    /// <summary>One row per seed, then the mean, standard deviation, min and max of each column.</summary>
    public HtmlTable ToTable(string caption)
    {
        bool kl = KlToStart is not null;
        var columns = new List<string> { "seed", "gold mean", "start gold mean", "win rate vs start" };
        if (kl) columns.Add("KL to start (nats)");
        var rows = new List<IReadOnlyList<object?>>();
        foreach (var run in Runs)
        {
            var row = new List<object?> { run.Seed.ToString(CultureInfo.InvariantCulture), run.GoldMean, run.StartGoldMean, run.WinRate };
            if (kl) row.Add(run.KlToStart);
            rows.Add(row);
        }
        var spreads = new List<SeedSpread> { GoldMean, SeedSpread.Of(Runs.Select(r => r.StartGoldMean).ToList()), WinRate };
        if (kl) spreads.Add(KlToStart!);
        rows.AddRange(SeedSpread.SummaryRows(spreads));
        return new HtmlTable(caption, columns, rows);
    }
}
