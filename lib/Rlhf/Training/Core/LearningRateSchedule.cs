namespace Rlhf.Training;

/// <summary>Learning-rate schedules as pure functions of the step, so a resumed run gets exactly the same rate.</summary>
public static class LearningRateSchedule
{
    /// <summary>
    /// Linear warm-up from 0 to <paramref name="peak"/> over <paramref name="warmupSteps"/>, then cosine decay to
    /// <paramref name="peak"/> x <paramref name="minRatio"/> at <paramref name="totalSteps"/> (Loshchilov and Hutter 2017,
    /// SGDR eq. 5, without restarts; the warm-up as in Goyal et al. 2017). <paramref name="step"/> counts from 0.
    /// </summary>
    public static double CosineWithWarmup(int step, int totalSteps, int warmupSteps, double peak, double minRatio)
    {
        if (warmupSteps > 0 && step < warmupSteps) return peak * (step + 1) / warmupSteps;
        int decaySteps = Math.Max(1, totalSteps - warmupSteps);
        double progress = Math.Clamp((double)(step - warmupSteps) / decaySteps, 0, 1);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress)); // 1 -> 0
        return peak * (minRatio + (1 - minRatio) * cosine);
    }
}
