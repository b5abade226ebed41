using Rlhf.Training;

namespace Rlhf.Tests.Training;

public class LearningRateScheduleTests
{
    [Theory]
    // warm-up 10 steps to peak 1.0: step 0 -> 1/10, step 9 -> 10/10
    [InlineData(0, 0.1)]
    [InlineData(4, 0.5)]
    [InlineData(9, 1.0)]
    // decay over 110 - 10 = 100 steps from 1.0 to 0.1: start of decay is the peak,
    [InlineData(10, 1.0)]
    // halfway cos(pi/2) = 0 -> 0.1 + 0.9 * 0.5 = 0.55,
    [InlineData(60, 0.55)]
    // a quarter in: 0.1 + 0.9 * 0.5 * (1 + cos(pi/4)) = 0.1 + 0.45 * 1.70710678 = 0.868198
    [InlineData(35, 0.8681980515)]
    // and the end (and beyond) is the floor.
    [InlineData(110, 0.1)]
    [InlineData(500, 0.1)]
    public void Cosine_with_warmup_matches_hand_computed_values(int step, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.CosineWithWarmup(step, totalSteps: 110, warmupSteps: 10, peak: 1.0, minRatio: 0.1), 9);

    [Fact]
    public void Without_warmup_the_first_step_uses_the_peak() =>
        Assert.Equal(3e-4, LearningRateSchedule.CosineWithWarmup(0, 100, 0, 3e-4, 0.0), 12);
}
