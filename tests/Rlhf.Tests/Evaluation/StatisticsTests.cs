using Rlhf.Evaluation;

namespace Rlhf.Tests.Evaluation;

public class StatisticsTests
{
    [Fact]
    public void Win_rate_counts_ties_as_half() =>
        // win, loss, tie, win -> (1 + 0 + 0.5 + 1) / 4
        Assert.Equal(0.625, Statistics.WinRate([0.9, 0.1, 0.5, 0.7], [0.2, 0.3, 0.5, 0.6]));

    [Fact]
    public void Win_rate_has_the_standard_error_of_its_per_prompt_outcomes()
    {
        // outcomes 1, 0, 0.5, 1: mean 0.625, s^2 = (0.140625 + 0.390625 + 0.015625 + 0.140625) / 3 = 0.2291667, se = sqrt(s^2 / 4) = 0.2393570
        var winRate = Statistics.WinRateEstimate([0.9, 0.1, 0.5, 0.7], [0.2, 0.3, 0.5, 0.6]);
        Assert.Equal(0.625, winRate.Mean, 12);
        Assert.Equal(0.2393570, winRate.StandardError, 6);
        Assert.Equal(4, winRate.Count);
    }

    [Fact]
    public void A_nan_score_is_refused_naming_the_prompt_not_counted_as_a_loss()
    {
        var error = Assert.Throws<ArgumentException>(() => Statistics.WinRate([0.9, double.NaN], [0.2, 0.3]));
        Assert.Contains("prompt 1 has a NaN score", error.Message);
    }

    [Fact]
    public void One_sample_has_no_standard_error()
    {
        var estimate = Estimate.Of([0.7]);
        Assert.True(double.IsNaN(estimate.StandardError));
        Assert.Equal("0.700 (one sample)", estimate.ToString());
    }

    [Fact]
    public void Win_rate_needs_paired_scores() =>
        Assert.Throws<ArgumentException>(() => Statistics.WinRate([1, 2], [1]));

    [Fact]
    public void Paired_difference_is_the_mean_and_standard_error_of_per_prompt_differences()
    {
        // differences 0.5, 0.5, 0, 1: mean 0.5, s^2 = (0 + 0 + 0.25 + 0.25) / 3 = 1/6, se = sqrt(1/6 / 4) = 0.2041241
        var difference = Statistics.PairedDifference([1, 1, 0.5, 1], [0.5, 0.5, 0.5, 0]);
        Assert.Equal(0.5, difference.Mean, 12);
        Assert.Equal(0.2041241452, difference.StandardError, 9);
        Assert.Throws<ArgumentException>(() => Statistics.PairedDifference([1], [1, 2]));
    }

    [Fact]
    public void Distinct_n_counts_unique_ngrams_over_all_ngrams()
    {
        // bigrams of (1 2 1 2) and (1 2 3): 12 21 12 | 12 23 -> 5 bigrams, 3 distinct (12, 21, 23)
        Assert.Equal(3.0 / 5, Statistics.DistinctN([[1, 2, 1, 2], [1, 2, 3]], 2), 12);
        // unigrams: 7 tokens, 3 distinct
        Assert.Equal(3.0 / 7, Statistics.DistinctN([[1, 2, 1, 2], [1, 2, 3]], 1), 12);
        Assert.True(double.IsNaN(Statistics.DistinctN([[1]], 2))); // no bigram at all: undefined, not "collapsed"
    }

    [Fact]
    public void Estimate_reports_mean_and_standard_error()
    {
        // samples 1, 2, 3, 4: mean 2.5, s^2 = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3, se = sqrt(5/3 / 4) = 0.6454972
        var estimate = Estimate.Of([1.0, 2, 3, 4]);
        Assert.Equal(2.5, estimate.Mean, 12);
        Assert.Equal(0.6454972, estimate.StandardError, 6);
        Assert.Equal("2.500 ± 0.645", estimate.ToString());
    }
}
