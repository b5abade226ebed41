namespace Rlhf.Training;

/// <summary>How the PPO KL coefficient beta evolves: fixed, or adapted towards a target KL.</summary>
public abstract class KlController
{
    /// <summary>The coefficient to use for the next rollout.</summary>
    public abstract double KlCoef { get; }

    /// <summary>Updates the coefficient after a rollout whose mean per-sequence KL was <paramref name="observedKl"/>,
    /// over <paramref name="steps"/> sequences.</summary>
    public abstract void Update(double observedKl, int steps);

    /// <summary>A coefficient that never changes.</summary>
    public static KlController Fixed(double value) => new FixedKl(value);

    /// <summary>Ziegler et al. 2019 (section 2.2): e = clip(KL / target - 1, -0.2, 0.2); beta *= 1 + e * steps / horizon.</summary>
    public static KlController Adaptive(double initial, double targetKl, double horizon) => new AdaptiveKl(initial, targetKl, horizon);

    sealed class FixedKl(double value) : KlController
    {
        public override double KlCoef => value;
        public override void Update(double observedKl, int steps) { }
    }

    sealed class AdaptiveKl(double initial, double targetKl, double horizon) : KlController
    {
        double value = initial;
        public override double KlCoef => value;

        public override void Update(double observedKl, int steps)
        {
            double error = Math.Clamp(observedKl / targetKl - 1, -0.2, 0.2);
            value *= 1 + error * steps / horizon;
        }
    }
}
