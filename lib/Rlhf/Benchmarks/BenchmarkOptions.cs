using Rlhf.Models;
using Rlhf.Training;

namespace Rlhf.Benchmarks;

/// <summary>What <c>rlhf bench</c> measures and how often. The defaults are the measurement recorded in docs/benchmarks.md.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>The model sizes measured. Default <see cref="BenchmarkShape.Tiny"/> and <see cref="BenchmarkShape.Small"/>.</summary>
    public IReadOnlyList<BenchmarkShape> Shapes { get; init; } = [BenchmarkShape.Tiny, BenchmarkShape.Small];

    /// <summary>Untimed runs before each measurement (first-call allocations, kernel selection). Default 2.</summary>
    public int WarmupRuns { get; init; } = 2;

    /// <summary>Timed runs of each measurement; the report gives their median. Default 5.</summary>
    public int TimedRuns { get; init; } = 5;

    /// <summary>Side n of the float32 n x n x n matrix product whose GFLOP/s is the MFU denominator. Default 2048 (the reference's).</summary>
    public int MatmulSize { get; init; } = 2048;

    /// <summary>Training steps between the two live-tensor counts. Default 1000 (issue 10).</summary>
    public int LeakSteps { get; init; } = 1000;

    /// <summary>Model of the live-tensor check. Default the course model (<see cref="GptConfig.CourseDefault"/>) at batch 4 x 32,
    /// small enough that 1,000 steps take seconds: the count does not depend on the batch.</summary>
    public GptConfig LeakModel { get; init; } = GptConfig.CourseDefault;

    /// <summary>Sequences per step of the live-tensor check. Default 4.</summary>
    public int LeakBatch { get; init; } = 4;

    /// <summary>Tokens per sequence of the live-tensor check. Default 32.</summary>
    public int LeakLength { get; init; } = 32;

    /// <summary>The PPO iteration timed: the course default (<see cref="PpoOptions"/>' defaults, the shipped
    /// data/checkpoints/sft and data/checkpoints/rm); null skips it. Default <c>new PpoOptions()</c>.</summary>
    public PpoOptions? Ppo { get; init; } = new();

    /// <summary>Untimed PPO iterations before the timed ones. Default 1.</summary>
    public int PpoWarmupIterations { get; init; } = 1;

    /// <summary>CPU threads for torch (intra-op); null keeps torch's default, one per core. Default null.</summary>
    public int? Threads { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field out of range.</summary>
    public BenchmarkOptions Validate()
    {
        if (Shapes.Count == 0 && Ppo is null) throw new ArgumentException("BenchmarkOptions: no shapes and no PPO: nothing to measure.", nameof(Shapes));
        foreach (var shape in Shapes) shape.Validate();
        if (Shapes.Select(s => s.Name).Distinct().Count() != Shapes.Count)
            throw new ArgumentException($"BenchmarkOptions.Shapes names a shape twice ({string.Join(", ", Shapes.Select(s => s.Name))}).", nameof(Shapes));
        Require(WarmupRuns >= 0, nameof(WarmupRuns), WarmupRuns, "must be 0 or more");
        Require(TimedRuns >= 1, nameof(TimedRuns), TimedRuns, "must be at least 1");
        Require(MatmulSize >= 1, nameof(MatmulSize), MatmulSize, "must be at least 1");
        Require(LeakSteps >= 1, nameof(LeakSteps), LeakSteps, "must be at least 1");
        LeakModel.Validate();
        Require(LeakBatch >= 1, nameof(LeakBatch), LeakBatch, "must be at least 1");
        Require(LeakLength >= 1 && LeakLength <= LeakModel.ContextLength, nameof(LeakLength), LeakLength, $"must be in [1, {LeakModel.ContextLength}]");
        Require(PpoWarmupIterations >= 0, nameof(PpoWarmupIterations), PpoWarmupIterations, "must be 0 or more");
        if (Threads is int threads) Require(threads >= 1, nameof(Threads), threads, "must be at least 1");
        Ppo?.Validate();
        return this;
    }

    static void Require(bool ok, string field, int value, string rule)
    {
        if (!ok) throw new ArgumentException($"BenchmarkOptions.{field} {rule}, got {value}.", field);
    }
}
