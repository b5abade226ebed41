namespace Rlhf.Benchmarks;

/// <summary>One row of the reference table: a metric of one configuration, as PyTorch measured it.</summary>
/// <param name="Config">The shape (<c>tiny</c>, <c>small</c>) or <c>-</c> for the machine.</param>
/// <param name="Metric">What is measured, as the table names it.</param>
/// <param name="AsInstalled">PyTorch 1.13 from Debian's package with its default OpenBLAS (Haswell kernels).</param>
/// <param name="Tuned">The same with <c>OPENBLAS_CORETYPE=SkylakeX</c> (AVX-512): the column to beat.</param>
/// <param name="Ours">Reads our figure from a report; null when the report lacks it.</param>
/// <param name="Target">The ratio to the tuned figure issue 10 asks for, or null for none.</param>
public sealed record ReferenceFigure(string Config, string Metric, double AsInstalled, double Tuned, Func<BenchmarkReport, double?> Ours, double? Target);

/// <summary>
/// Issue 10's reference numbers: PyTorch 1.13 eager (Debian package), fp32, 2 threads, on this kind of 2-core machine,
/// same configurations, measured 2026-11-23 on a noisy shared machine; and the comparison table of docs/benchmarks.md.
/// </summary>
public static class ReferenceFigures
{
    /// <summary>The rows of the reference table, in its order, with the targets (0.9x tuned for training and DPO, 1.0x for KV-cache generation).</summary>
    public static IReadOnlyList<ReferenceFigure> Rows { get; } =
    [
        new("-", "fp32 matmul 2048^3 GFLOP/s", 180, 376, r => r.MatmulGflops, null),
        new("tiny", "train tokens/s", 13_900, 22_900, r => Shape(r, "tiny")?.TrainTokensPerSecond, 0.9),
        new("tiny", "train MFU", 0.40, 0.31, r => Shape(r, "tiny")?.ModelFlopsUtilisation, null),
        new("tiny", "KV-cache generation, new tokens/s", 5_250, 7_720, r => Shape(r, "tiny")?.GenerationKvTokensPerSecond, 1.0),
        new("tiny", "no-cache generation, new tokens/s", 680, 1_050, r => Shape(r, "tiny")?.GenerationNoCacheTokensPerSecond, null),
        new("tiny", "DPO pairs/s", 41.5, 71.2, r => Shape(r, "tiny")?.DpoPairsPerSecond, 0.9),
        new("small", "train tokens/s", 1_460, 2_860, r => Shape(r, "small")?.TrainTokensPerSecond, 0.9),
        new("small", "train MFU", 0.60, 0.56, r => Shape(r, "small")?.ModelFlopsUtilisation, null),
        new("small", "KV-cache generation, new tokens/s", 1_200, 1_550, r => Shape(r, "small")?.GenerationKvTokensPerSecond, 1.0),
        new("small", "DPO pairs/s", 1.29, 3.5, r => Shape(r, "small")?.DpoPairsPerSecond, 0.9),
    ];

    /// <summary>Markdown for docs/benchmarks.md: each reference row with our figure, the ratio ours / tuned and whether the
    /// target is met; then the figures without a reference (PPO iteration, live tensors, peak memory) and the machine.</summary>
    public static string Markdown(BenchmarkReport report)
    {
        var lines = new List<string>
        {
            "| config | metric | PyTorch as installed | PyTorch tuned (SkylakeX) | ours | ours / tuned | target |",
            "|---|---|---|---|---|---|---|",
        };
        foreach (var row in Rows)
        {
            var ours = row.Ours(report);
            string ratio = ours is double o ? (o / row.Tuned).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "-";
            string target = row.Target is not double t ? "-"
                : ours is not double value ? $">= {t:F1}x: not measured"
                : value / row.Tuned >= t ? $">= {t:F1}x: met" : $">= {t:F1}x: not met";
            lines.Add($"| {row.Config} | {row.Metric} | {Format(row.AsInstalled)} | {Format(row.Tuned)} | {(ours is double v ? Format(v) : "-")} | {ratio} | {target} |");
        }
        lines.Add("");
        lines.Add("| figure | value |");
        lines.Add("|---|---|");
        if (report.Ppo is { } ppo)
            lines.Add($"| PPO iteration of the course default, s (generation / scoring / update) | {Format(ppo.TotalSeconds)} ({Format(ppo.GenerationSeconds)} / {Format(ppo.ScoringSeconds)} / {Format(ppo.UpdateSeconds)}) |");
        lines.Add($"| live tensors before / after {report.LiveTensors.Steps:N0} training steps | {report.LiveTensors.Before} / {report.LiveTensors.After} |");
        lines.Add($"| process peak memory (VmHWM), MiB | {Format(report.PeakMemoryMegabytes)} |");
        var m = report.Machine;
        lines.Add($"| machine | {m.Cpu}, {m.LogicalCores} logical cores, torch {m.TorchThreads} threads ({m.TorchInteropThreads} inter-op), libtorch {m.LibTorch} |");
        lines.Add($"| MKL vendor patch | {m.MklVendorPatch} |");
        lines.Add($"| statistic | median of {report.TimedRuns} timed runs after {report.WarmupRuns} warm-up runs (PPO: 1 warm-up iteration) |");
        return string.Join("\n", lines) + "\n";
    }

    static ShapeBenchmark? Shape(BenchmarkReport report, string name) => report.Shapes.FirstOrDefault(s => s.Name == name);

    static string Format(double value) => value.ToString(Math.Abs(value) >= 100 ? "N0" : Math.Abs(value) >= 10 ? "F1" : "F2", System.Globalization.CultureInfo.InvariantCulture);
}
