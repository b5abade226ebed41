using Rlhf.Evaluation;

namespace Rlhf.Tests.Evaluation;

public class SeedSweepTests
{
    [Fact]
    public void Spread_is_the_mean_sample_standard_deviation_min_and_max()
    {
        // 0.4, 0.5, 0.9: mean 0.6, s^2 = (0.04 + 0.01 + 0.09) / 2 = 0.07, s = 0.2645751
        var spread = SeedSpread.Of([0.4, 0.5, 0.9]);
        Assert.Equal(0.6, spread.Mean, 12);
        Assert.Equal(0.2645751311, spread.StandardDeviation, 9);
        Assert.Equal(0.4, spread.Min);
        Assert.Equal(0.9, spread.Max);
        Assert.Equal(3, spread.Count);
        Assert.Equal(0.0, SeedSpread.Of([0.7]).StandardDeviation);
        Assert.Equal(0.0, SeedSpread.Of(Enumerable.Repeat(0.439, 10).ToList()).StandardDeviation); // exactly 0, not rounding noise
        Assert.Throws<ArgumentException>(() => SeedSpread.Of([]));
    }

    [Fact]
    public void Sweep_counts_the_seeds_above_the_start_and_above_a_win_rate()
    {
        var sweep = new SeedSweep([
            new SeedRun(1234, GoldMean: 0.49, StartGoldMean: 0.44, WinRate: 0.532, KlToStart: 0.4),
            new SeedRun(7, GoldMean: 0.43, StartGoldMean: 0.44, WinRate: 0.488, KlToStart: 0.2),
            new SeedRun(11, GoldMean: 0.44, StartGoldMean: 0.44, WinRate: 0.560, KlToStart: 0.3),
        ]);
        Assert.Equal(1, sweep.SeedsAboveStart); // equal is not above
        Assert.Equal(1, sweep.SeedsWithWinRateAbove(0.55));
        Assert.Equal(3, sweep.SeedsWithWinRateAbove(0.40));
        Assert.Equal((0.49 + 0.43 + 0.44) / 3, sweep.GoldMean.Mean, 12);
        Assert.Equal(0.488, sweep.WinRate.Min);
        Assert.Equal(0.3, sweep.KlToStart!.Mean, 12);
    }

    [Fact]
    public void Kl_is_summarised_only_when_every_run_measured_it()
    {
        var sweep = new SeedSweep([new SeedRun(1, 0.5, 0.4, 0.6, KlToStart: 0.1), new SeedRun(2, 0.5, 0.4, 0.6)]);
        Assert.Null(sweep.KlToStart);
        Assert.DoesNotContain("KL to start (nats)", sweep.ToTable("dpo").Columns);
    }

    [Fact]
    public void Table_has_a_row_per_seed_then_mean_sd_min_and_max()
    {
        var table = new SeedSweep([new SeedRun(1, 0.5, 0.4, 0.6, 0.1), new SeedRun(2, 0.3, 0.4, 0.4, 0.3)]).ToTable("ppo");
        Assert.Equal(["seed", "gold mean", "start gold mean", "win rate vs start", "KL to start (nats)"], table.Columns);
        Assert.Equal(["1", "2", "mean", "s.d.", "min", "max"], table.Rows.Select(r => (string)r[0]!));
        Assert.Equal(0.4, (double)table.Rows[2][1]!, 12);          // mean gold
        Assert.Equal(Math.Sqrt(0.02), (double)table.Rows[3][1]!, 12); // s.d. of 0.5 and 0.3
        Assert.Equal(0.3, (double)table.Rows[5][4]!, 12);          // max KL
    }

    [Fact]
    public void A_sweep_needs_runs_with_distinct_seeds()
    {
        Assert.Throws<ArgumentException>(() => new SeedSweep([]));
        var error = Assert.Throws<ArgumentException>(() => new SeedSweep([new SeedRun(7, 0.5, 0.4, 0.6), new SeedRun(7, 0.4, 0.4, 0.5)]));
        Assert.Contains("seed 7", error.Message);
    }
}
