using System.Diagnostics;

namespace Rlhf.Benchmarks;

/// <summary>Wall-clock timing as every benchmark here does it: untimed warm-up runs, then timed runs, reported by their median.</summary>
public static class Timing
{
    /// <summary>Runs <paramref name="run"/> <paramref name="warmup"/> times untimed, then <paramref name="runs"/> times, and returns
    /// each timed run's seconds.</summary>
    public static IReadOnlyList<double> Seconds(int warmup, int runs, Action run)
    {
        if (warmup < 0) throw new ArgumentOutOfRangeException(nameof(warmup), warmup, "must be 0 or more");
        if (runs < 1) throw new ArgumentOutOfRangeException(nameof(runs), runs, "must be at least 1");
        for (int i = 0; i < warmup; i++) run();
        var seconds = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            seconds[i] = clock.Elapsed.TotalSeconds;
        }
        return seconds;
    }

    /// <summary>The median (the mean of the two middle values for an even count): robust to the odd run slowed by other work.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("the median of no values is undefined", nameof(values));
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
