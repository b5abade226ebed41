namespace Rlhf.Plots;

/// <summary>Smoothing of noisy training curves, as pure functions.</summary>
public static class Smoothing
{
    /// <summary>
    /// Debiased exponential moving average, the smoothing TensorBoard's slider applies:
    /// m_t = w * m_(t-1) + (1 - w) * x_t with m_(-1) = 0, and the result at t is m_t / (1 - w^(t+1)).
    /// Dividing by 1 - w^(t+1) removes the pull towards 0 from the zero start (Adam's bias correction,
    /// Kingma and Ba 2015, Algorithm 1), so the first output equals the first value.
    /// </summary>
    /// <param name="values">The raw values in logging order. Must be finite: a NaN or infinity would poison every later point.</param>
    /// <param name="weight">w in [0, 1): 0 returns the values unchanged; 0.9 averages over roughly the last 10 points.</param>
    /// <returns>A new array of the same length.</returns>
    public static double[] Ema(IReadOnlyList<double> values, double weight)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(weight >= 0 && weight < 1))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "the smoothing weight must be in [0, 1): 0 is no smoothing, 0.9 is strong smoothing");
        var smoothed = new double[values.Count];
        double average = 0, weightPower = 1;
        for (int t = 0; t < values.Count; t++)
        {
            if (!double.IsFinite(values[t]))
                throw new ArgumentException($"value {t} is {values[t]}; smoothing needs finite values (plot the raw series to see where it diverged)", nameof(values));
            average = weight * average + (1 - weight) * values[t];
            weightPower *= weight;
            smoothed[t] = average / (1 - weightPower);
        }
        return smoothed;
    }
}
