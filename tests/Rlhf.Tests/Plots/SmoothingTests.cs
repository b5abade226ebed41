using Rlhf.Plots;

namespace Rlhf.Tests.Plots;

public class SmoothingTests
{
    [Fact]
    public void Ema_matches_hand_computed_debiased_average()
    {
        // w = 0.5, x = [2, 4, 8]:
        // m0 = 0.5*0 + 0.5*2 = 1     -> 1    / (1 - 0.5)   = 2
        // m1 = 0.5*1 + 0.5*4 = 2.5   -> 2.5  / (1 - 0.25)  = 3.3333...
        // m2 = 0.5*2.5 + 0.5*8 = 5.25 -> 5.25 / (1 - 0.125) = 6
        var smoothed = Smoothing.Ema([2, 4, 8], 0.5);
        Assert.Equal(3, smoothed.Length);
        Assert.Equal(2.0, smoothed[0], 12);
        Assert.Equal(10.0 / 3.0, smoothed[1], 12);
        Assert.Equal(6.0, smoothed[2], 12);
    }

    [Fact]
    public void Ema_with_weight_zero_is_the_identity()
    {
        double[] values = [3, -1, 2.5, 7];
        Assert.Equal(values, Smoothing.Ema(values, 0));
    }

    [Fact]
    public void Ema_of_a_constant_is_that_constant_thanks_to_debiasing()
    {
        // Without the 1 / (1 - w^(t+1)) correction the first points would be pulled towards 0 (0.1, 0.19, ...).
        var smoothed = Smoothing.Ema(Enumerable.Repeat(1.0, 20).ToArray(), 0.9);
        Assert.All(smoothed, v => Assert.Equal(1.0, v, 12));
    }

    [Fact]
    public void Ema_reduces_alternating_noise()
    {
        var noisy = Enumerable.Range(0, 200).Select(i => 5 + (i % 2 == 0 ? 1.0 : -1.0)).ToArray();
        var smoothed = Smoothing.Ema(noisy, 0.9);
        // After the warm-up the smoothed curve stays near 5; the raw one is always 1 away.
        Assert.All(smoothed.Skip(100), v => Assert.InRange(v, 4.85, 5.15));
    }

    [Fact]
    public void Ema_returns_a_new_array_and_leaves_the_input_alone()
    {
        double[] values = [1, 2, 3];
        var smoothed = Smoothing.Ema(values, 0.5);
        Assert.NotSame(values, smoothed);
        Assert.Equal([1.0, 2.0, 3.0], values);
        Assert.Empty(Smoothing.Ema([], 0.5));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Ema_rejects_weights_outside_zero_to_one(double weight)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Smoothing.Ema([1, 2], weight));
        Assert.Equal("weight", error.ParamName);
    }

    [Fact]
    public void Ema_names_the_first_non_finite_value()
    {
        var error = Assert.Throws<ArgumentException>(() => Smoothing.Ema([1, 2, double.NaN, 4], 0.5));
        Assert.Contains("value 2 is NaN", error.Message);
    }

    [Fact]
    public void Series_smoothed_keeps_steps_and_smooths_values()
    {
        var series = new Series("loss", [(10, 2), (20, 4), (30, 8)]);
        var smoothed = series.Smoothed(0.5);
        Assert.Equal("loss", smoothed.Name);
        Assert.Equal([10.0, 20.0, 30.0], smoothed.Steps);
        Assert.Equal(Smoothing.Ema([2, 4, 8], 0.5), smoothed.Values);
    }

    [Fact]
    public void Series_from_values_numbers_steps_from_the_first_step()
    {
        var series = Series.FromValues("reward", [0.5, 0.7], firstStep: 1);
        Assert.Equal([(1.0, 0.5), (2.0, 0.7)], series.Points);
        Assert.Throws<ArgumentException>(() => Series.FromValues(" ", [1.0]));
    }
}
