using Rlhf.Plots;

namespace Rlhf.Tests.Plots;

/// <summary>Each chart function, checked through the traces and layout its HTML will draw (no browser needed).</summary>
public class ChartsTests
{
    [Fact]
    public void History_draws_one_line_per_series_with_titles()
    {
        var chart = Charts.History("PPO training", "value",
            [new Series("reward", [(0, 0.1), (10, 0.4)]), new Series("KL", [(0, 0.0), (10, 0.2)])]);
        var (traces, layout) = PlotlyJson.Read(chart);

        Assert.Equal(["reward", "KL"], traces.Names());
        Assert.All(traces, t => Assert.Equal("scatter", t.GetProperty("type").GetString()));
        Assert.All(traces, t => Assert.Equal("lines", t.GetProperty("mode").GetString()));
        Assert.Equal([0.0, 10.0], traces[0].Numbers("x"));
        Assert.Equal([0.1, 0.4], traces[0].Numbers("y"));
        Assert.Equal([0.0, 0.2], traces[1].Numbers("y"));
        Assert.Equal("PPO training", layout.Title());
        Assert.Equal("step", layout.Title("xaxis"));
        Assert.Equal("value", layout.Title("yaxis"));
        Assert.Equal(Charts.Width, layout.GetProperty("width").GetInt32());
    }

    [Fact]
    public void Line_draws_one_named_line_with_its_legend_shown()
    {
        var chart = Charts.Line("Bradley–Terry", "reward margin", "P(A preferred)", [-1.0, 0.0, 1.0], [0.27, 0.5, 0.73], "σ(margin)");
        var (traces, layout) = PlotlyJson.Read(chart);

        var line = Assert.Single(traces);
        Assert.Equal("σ(margin)", line.GetProperty("name").GetString());
        Assert.Equal("scatter", line.GetProperty("type").GetString());
        Assert.Equal("lines", line.GetProperty("mode").GetString());
        Assert.True(line.GetProperty("showlegend").GetBoolean(), "a lone trace's legend is hidden unless asked for");
        Assert.Equal([-1.0, 0.0, 1.0], line.Numbers("x"));
        Assert.Equal([0.27, 0.5, 0.73], line.Numbers("y"));
        Assert.Equal("Bradley–Terry", layout.Title());
        Assert.Equal("reward margin", layout.Title("xaxis"));
        Assert.Equal("P(A preferred)", layout.Title("yaxis"));
        Assert.Equal(Charts.Height, layout.GetProperty("height").GetInt32());
    }

    [Fact]
    public void Line_rejects_mismatched_lengths_and_a_missing_name()
    {
        Assert.Contains("x has 2 values but y has 1", Assert.Throws<ArgumentException>(() => Charts.Line("t", "x", "y", [1.0, 2.0], [1.0], "n")).Message);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => Charts.Line("t", "x", "y", [1.0], [1.0], " ")).ParamName);
        Assert.Equal("yLabel", Assert.Throws<ArgumentException>(() => Charts.Line("t", "x", "", [1.0], [1.0], "n")).ParamName);
    }

    [Fact]
    public void History_with_smoothing_draws_the_raw_line_faintly_under_its_ema()
    {
        var chart = Charts.History("SFT loss", "loss", [new Series("loss", [(1, 2), (2, 4), (3, 8)])], smoothing: 0.5);
        var (traces, _) = PlotlyJson.Read(chart);

        Assert.Equal(["loss (raw)", "loss"], traces.Names());
        Assert.Equal([2.0, 4.0, 8.0], traces[0].Numbers("y"));
        Assert.Equal(0.3, traces[0].GetProperty("opacity").GetDouble());
        var smoothed = traces[1].Numbers("y");
        Assert.Equal(Smoothing.Ema([2, 4, 8], 0.5), smoothed);
        Assert.Equal(6.0, smoothed[2], 12); // hand-computed in SmoothingTests
        // One legend entry for the series: the raw line is in the smoothed line's group and not listed itself.
        Assert.False(traces[0].GetProperty("showlegend").GetBoolean());
        Assert.Equal("loss", traces[0].GetProperty("legendgroup").GetString());
        Assert.Equal("loss", traces[1].GetProperty("legendgroup").GetString());
    }

    [Fact]
    public void History_overloads_for_named_points_and_plain_values_draw_the_same_lines()
    {
        var named = new Dictionary<string, IReadOnlyList<(double Step, double Value)>>
        {
            ["loss"] = [(0, 3.0), (1, 2.0)],
            ["accuracy"] = [(0, 0.5), (1, 0.75)],
        };
        var (fromDictionary, _) = PlotlyJson.Read(Charts.History("RM", "value", named));
        Assert.Equal(["loss", "accuracy"], fromDictionary.Names());
        Assert.Equal([0.5, 0.75], fromDictionary[1].Numbers("y"));

        var (fromValues, layout) = PlotlyJson.Read(Charts.History("SFT", "loss", [3.0, 2.0]));
        Assert.Equal(["loss"], fromValues.Names());
        Assert.Equal(fromDictionary[0].Numbers("x"), fromValues[0].Numbers("x"));
        Assert.Equal(fromDictionary[0].Numbers("y"), fromValues[0].Numbers("y"));
        Assert.Equal("loss", layout.Title("yaxis"));
    }

    [Fact]
    public void History_rejects_duplicate_names_missing_titles_and_bad_smoothing()
    {
        var loss = new Series("loss", [(0, 1.0)]);
        Assert.Contains("'loss'", Assert.Throws<ArgumentException>(() => Charts.History("t", "y", [loss, loss])).Message);
        Assert.Equal("title", Assert.Throws<ArgumentException>(() => Charts.History("", "y", [loss])).ParamName);
        Assert.Throws<ArgumentException>(() => Charts.History("t", "y", Array.Empty<Series>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => Charts.History("t", "y", [loss], smoothing: 1));
    }

    [Fact]
    public void Distribution_overlays_histograms_on_shared_bins()
    {
        var chart = Charts.Distribution("Reward model scores", "score",
            [("chosen", [1.0, 2.0, 2.5]), ("rejected", [-1.0, 0.0])], bins: 20);
        var (traces, layout) = PlotlyJson.Read(chart);

        Assert.Equal(["chosen", "rejected"], traces.Names());
        Assert.All(traces, t => Assert.Equal("bar", t.GetProperty("type").GetString()));
        // Range -1 .. 2.5 in at most 20 round bins: width 0.2 from -1.0, 18 bins, the same for both groups.
        Assert.Equal(Charts.Bins([1.0, 2.0, 2.5, -1.0, 0.0], 20), (-1.0, 0.2, 18), new BinsComparer());
        Assert.All(traces, t => Assert.Equal(0.2, t.GetProperty("width").GetDouble(), 9));
        Assert.Equal(traces[0].Numbers("x"), traces[1].Numbers("x"));
        Assert.Equal(-0.9, traces[0].Numbers("x")[0], 9);
        var chosen = traces[0].Numbers("y");
        Assert.Equal(3, chosen.Sum());
        Assert.Equal([10, 15, 17], chosen.Select((c, i) => (c, i)).Where(p => p.c > 0).Select(p => p.i)); // 1.0, 2.0 and 2.5 in their bins
        Assert.Equal([0, 5], traces[1].Numbers("y").Select((c, i) => (c, i)).Where(p => p.c > 0).Select(p => p.i)); // -1.0 and 0.0
        Assert.All(traces, t => Assert.True(t.GetProperty("opacity").GetDouble() < 1, "overlaid histograms must be see-through"));
        Assert.Equal("overlay", layout.GetProperty("barmode").GetString());
        Assert.Equal("Reward model scores", layout.Title());
        Assert.Equal("score", layout.Title("xaxis"));
        Assert.Equal("count", layout.Title("yaxis"));
    }

    sealed class BinsComparer : IEqualityComparer<(double Start, double Width, int Count)>
    {
        public bool Equals((double Start, double Width, int Count) a, (double Start, double Width, int Count) b) =>
            Math.Abs(a.Start - b.Start) < 1e-9 && Math.Abs(a.Width - b.Width) < 1e-9 && a.Count == b.Count;

        public int GetHashCode((double Start, double Width, int Count) x) => x.Count;
    }

    [Theory]
    [InlineData(new[] { 0.0, 1.0 }, 30, 0.0, 0.05, 21)]     // 1 in 30 bins: 0.05 wide (0.02 would need 51)
    [InlineData(new[] { 3.0, 3.0 }, 30, 2.5, 1.0, 1)]      // one value: one bin around it
    [InlineData(new[] { -7.3, 12.1 }, 12, -8.0, 2.0, 11)]  // round edges: multiples of the width
    [InlineData(new[] { -7.3, 12.1 }, 10, -10.0, 5.0, 5)]  // 2 wide would need 11 bins
    [InlineData(new[] { 0.0, 1000.0 }, 5, 0.0, 500.0, 3)]
    public void Bins_are_round_and_at_most_the_number_asked(double[] values, int most, double start, double width, int count)
    {
        var bins = Charts.Bins(values, most);
        Assert.Equal((start, width, count), bins, new BinsComparer());
        Assert.InRange(bins.Count, 1, most);
        Assert.True(bins.Start <= values.Min() && bins.Start + bins.Count * bins.Width > values.Max(), "the bins cover every value");
    }

    [Fact]
    public void Distribution_of_one_set_is_opaque_and_named_after_its_axis()
    {
        var (traces, _) = PlotlyJson.Read(Charts.Distribution("Lengths", "tokens", [3.0, 5.0, 5.0]));
        Assert.Equal(["tokens"], traces.Names());
        Assert.Equal(1.0, traces[0].GetProperty("opacity").GetDouble());
    }

    [Fact]
    public void Grouped_bars_put_one_bar_per_group_on_each_category()
    {
        var chart = Charts.GroupedBars("Evaluation", "policy", "score", ["SFT", "PPO", "DPO"],
            [("win rate", [0.5, 0.62, 0.66]), ("KL", [0.0, 1.5, 0.9])]);
        var (traces, layout) = PlotlyJson.Read(chart);

        Assert.Equal(["win rate", "KL"], traces.Names());
        Assert.All(traces, t => Assert.Equal("bar", t.GetProperty("type").GetString()));
        Assert.All(traces, t => Assert.Equal(["SFT", "PPO", "DPO"], t.Strings("x")));
        Assert.Equal([0.5, 0.62, 0.66], traces[0].Numbers("y"));
        Assert.Equal([0.0, 1.5, 0.9], traces[1].Numbers("y"));
        Assert.Equal("Evaluation", layout.Title());
        Assert.Equal("policy", layout.Title("xaxis"));
        Assert.Equal("score", layout.Title("yaxis"));
        Assert.Equal("group", layout.GetProperty("barmode").GetString());
    }

    [Fact]
    public void Grouped_bars_name_the_group_whose_length_is_wrong()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Charts.GroupedBars("t", "x", "y", ["SFT", "PPO"], [("ok", [1.0, 2.0]), ("short", [1.0])]));
        Assert.Contains("group 'short' has 1 values but there are 2 categories", error.Message);
    }

    [Fact]
    public void Bars_is_one_group_named_after_the_value_axis()
    {
        var (traces, _) = PlotlyJson.Read(Charts.Bars("Win rate", "policy", "win rate", [("PPO", 0.6), ("DPO", 0.7)]));
        Assert.Equal(["win rate"], traces.Names());
        Assert.Equal(["PPO", "DPO"], traces[0].Strings("x"));
        Assert.Equal([0.6, 0.7], traces[0].Numbers("y"));
    }

    [Fact]
    public void Scatter_draws_one_labelled_trace_per_group_in_order_of_appearance()
    {
        var chart = Charts.Scatter("KL vs reward", "KL (nats)", "gold reward",
            [new(0.5, 1.0, "β=0.5", "DPO"), new(0.2, 0.8, "β=0.1", "PPO"), new(1.0, 1.4, "β=0.1", "DPO")], connect: true);
        var (traces, layout) = PlotlyJson.Read(chart);

        Assert.Equal(["DPO", "PPO"], traces.Names());
        Assert.Equal([0.5, 1.0], traces[0].Numbers("x"));
        Assert.Equal([1.0, 1.4], traces[0].Numbers("y"));
        Assert.Equal(["β=0.5", "β=0.1"], traces[0].Strings("text"));
        Assert.Equal("top center", traces[0].GetProperty("textposition").GetString());
        Assert.Equal("lines+markers+text", traces[0].GetProperty("mode").GetString());
        Assert.Equal("KL vs reward", layout.Title());
        Assert.Equal("KL (nats)", layout.Title("xaxis"));
        Assert.Equal("gold reward", layout.Title("yaxis"));

        var (unconnected, _) = PlotlyJson.Read(Charts.Scatter("t", "x", "y", [new(1, 2, "a")]));
        Assert.Equal("markers+text", unconnected[0].GetProperty("mode").GetString());
        Assert.Equal(["points"], unconnected.Names());
        Assert.False(unconnected[0].TryGetProperty("error_y", out _)); // no error bars unless a point has one
    }

    [Fact]
    public void Scatter_draws_error_bars_of_the_given_half_lengths()
    {
        var (traces, _) = PlotlyJson.Read(Charts.Scatter("frontier", "KL", "gold",
            [new(0.5, 0.4, "a", "PPO", XError: 0.1, YError: 0.06), new(0.9, 0.5, "b", "PPO", YError: 0.05)]));
        Assert.Equal([0.06, 0.05], traces[0].GetProperty("error_y").Numbers("array"));
        Assert.Equal([0.1, 0.0], traces[0].GetProperty("error_x").Numbers("array"));
        Assert.True(traces[0].GetProperty("error_y").GetProperty("visible").GetBoolean());
    }
}
