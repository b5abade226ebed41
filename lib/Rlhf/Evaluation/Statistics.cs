namespace Rlhf.Evaluation;

/// <summary>A mean with its standard error (sample standard deviation / sqrt(n)), so a table can say "0.61 ± 0.03".</summary>
/// <param name="Mean">The sample mean.</param>
/// <param name="StandardError">s / sqrt(n) with the unbiased s; NaN for a single sample (one sample says nothing about its spread).</param>
/// <param name="Count">Number of samples.</param>
public sealed record Estimate(double Mean, double StandardError, int Count)
{
    /// <summary>The mean and standard error of <paramref name="samples"/>.</summary>
    public static Estimate Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("an estimate needs at least one sample", nameof(samples));
        double mean = samples.Average();
        if (samples.Count < 2) return new Estimate(mean, double.NaN, samples.Count);
        double variance = samples.Sum(x => (x - mean) * (x - mean)) / (samples.Count - 1);
        return new Estimate(mean, Math.Sqrt(variance / samples.Count), samples.Count);
    }

    /// <inheritdoc />
    public override string ToString() => double.IsNaN(StandardError)
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Mean:F3} (one sample)")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Mean:F3} ± {StandardError:F3}");
}

/// <summary>Comparisons and diversity measures used by the evaluation tables.</summary>
public static class Statistics
{
    /// <summary>Fraction of prompts where <paramref name="candidate"/> scores higher than <paramref name="baseline"/>,
    /// counting ties as half a win (the convention of AlpacaEval and the DPO paper's win rates).</summary>
    public static double WinRate(IReadOnlyList<double> candidate, IReadOnlyList<double> baseline, double tieTolerance = 1e-9) =>
        WinRateEstimate(candidate, baseline, tieTolerance).Mean;

    /// <summary>The win rate with its standard error: the mean and s / sqrt(n) of the per-prompt outcomes (1 win, 0.5 tie,
    /// 0 loss). 55% over 172 prompts is about 1.5 standard errors from a coin flip, not a clear win.</summary>
    /// <exception cref="ArgumentException">The lists differ in length, are empty, or hold a NaN score (naming the prompt).</exception>
    public static Estimate WinRateEstimate(IReadOnlyList<double> candidate, IReadOnlyList<double> baseline, double tieTolerance = 1e-9)
    {
        if (candidate.Count != baseline.Count)
            throw new ArgumentException($"win rate needs paired scores: {candidate.Count} candidate vs {baseline.Count} baseline");
        if (candidate.Count == 0) throw new ArgumentException("win rate needs at least one pair");
        var outcomes = new double[candidate.Count];
        for (int i = 0; i < outcomes.Length; i++)
        {
            if (double.IsNaN(candidate[i]) || double.IsNaN(baseline[i]))
                throw new ArgumentException($"win rate: prompt {i} has a NaN score (candidate {candidate[i]}, baseline {baseline[i]}); a missing score is neither a win nor a loss");
            outcomes[i] = Math.Abs(candidate[i] - baseline[i]) <= tieTolerance ? 0.5 : candidate[i] > baseline[i] ? 1.0 : 0.0;
        }
        return Estimate.Of(outcomes);
    }

    /// <summary>The mean per-prompt difference candidate - baseline with its paired standard error (sd of the differences /
    /// sqrt(n)): whether one policy beats another on the same prompts by more than noise. Smaller than the unpaired
    /// error whenever the two policies find the same prompts easy.</summary>
    public static Estimate PairedDifference(IReadOnlyList<double> candidate, IReadOnlyList<double> baseline)
    {
        if (candidate.Count != baseline.Count)
            throw new ArgumentException($"a paired difference needs paired scores: {candidate.Count} candidate vs {baseline.Count} baseline");
        if (candidate.Count == 0) throw new ArgumentException("a paired difference needs at least one pair");
        return Estimate.Of(candidate.Zip(baseline, (c, b) => c - b).ToList());
    }

    /// <summary>distinct-n (Li et al. 2016): distinct n-grams divided by all n-grams over every response (token ids).
    /// 1 means no n-gram repeats anywhere; a collapsed policy that repeats one answer goes towards 0. NaN when the responses
    /// hold no n-gram at all (all shorter than n): undefined, not "fully collapsed".</summary>
    public static double DistinctN(IEnumerable<IReadOnlyList<int>> responses, int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), "n must be at least 1");
        var seen = new HashSet<string>();
        long total = 0;
        foreach (var tokens in responses)
            for (int i = 0; i + n <= tokens.Count; i++)
            {
                seen.Add(string.Join(',', Enumerable.Range(i, n).Select(j => tokens[j])));
                total++;
            }
        return total == 0 ? double.NaN : (double)seen.Count / total;
    }
}
