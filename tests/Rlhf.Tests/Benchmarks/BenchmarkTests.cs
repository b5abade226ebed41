using System.Text.Json;
using Rlhf.Benchmarks;

namespace Rlhf.Tests.Benchmarks;

public class BenchmarkTests
{
    [Fact]
    public void The_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones()
    {
        Assert.Equal(2, Timing.Median([3, 1, 2]));
        Assert.Equal(2.5, Timing.Median([4, 1, 3, 2]));
        Assert.Equal(7, Timing.Median([7]));
        Assert.Throws<ArgumentException>(() => Timing.Median([]));
    }

    [Fact]
    public void Timing_runs_the_warmup_untimed_and_returns_one_time_per_timed_run()
    {
        int calls = 0;
        var seconds = Timing.Seconds(warmup: 2, runs: 3, () => calls++);
        Assert.Equal(5, calls);
        Assert.Equal(3, seconds.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => Timing.Seconds(0, 0, () => { }));
    }

    [Fact]
    public void The_presets_are_the_issue_shapes()
    {
        Assert.Equal((4, 4, 128, 512, 128), (BenchmarkShape.Tiny.Model.Layers, BenchmarkShape.Tiny.Model.Heads, BenchmarkShape.Tiny.Model.EmbeddingSize,
            BenchmarkShape.Tiny.Model.VocabularySize, BenchmarkShape.Tiny.Model.ContextLength));
        Assert.Equal((6, 6, 384, 4096, 256), (BenchmarkShape.Small.Model.Layers, BenchmarkShape.Small.Model.Heads, BenchmarkShape.Small.Model.EmbeddingSize,
            BenchmarkShape.Small.Model.VocabularySize, BenchmarkShape.Small.Model.ContextLength));
        Assert.Equal((32, 128, 32, 128), (BenchmarkShape.Tiny.TrainBatch, BenchmarkShape.Tiny.TrainLength, BenchmarkShape.Tiny.DpoPairs, BenchmarkShape.Tiny.DpoLength));
        Assert.Equal((16, 256, 16, 256), (BenchmarkShape.Small.TrainBatch, BenchmarkShape.Small.TrainLength, BenchmarkShape.Small.DpoPairs, BenchmarkShape.Small.DpoLength));
        // The reference's MFU column: 6 N tokens/s / 376 GFLOP/s with N counted as here (tied head once) gives 0.32 and 0.56.
        Assert.Equal(875_264, BenchmarkShape.Tiny.Model.ParameterCount());
        Assert.Equal(12_318_720, BenchmarkShape.Small.Model.ParameterCount());
    }

    [Fact]
    public void Bad_options_are_refused_naming_the_field()
    {
        var tooLong = Assert.Throws<ArgumentException>(() => (BenchmarkShape.Tiny with { NewTokens = 120 }).Validate());
        Assert.Contains("tiny", tooLong.Message);
        Assert.Contains("NewTokens", tooLong.Message);
        Assert.Contains("TimedRuns", Assert.Throws<ArgumentException>(() => new BenchmarkOptions { TimedRuns = 0 }.Validate()).Message);
        Assert.Contains("LeakLength", Assert.Throws<ArgumentException>(() => new BenchmarkOptions { LeakLength = 1000 }.Validate()).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() =>
            new BenchmarkOptions { Shapes = [BenchmarkShape.Tiny, BenchmarkShape.Tiny] }.Validate()).Message);
        Assert.Contains("nothing to measure", Assert.Throws<ArgumentException>(() => new BenchmarkOptions { Shapes = [], Ppo = null }.Validate()).Message);
    }

    [Fact]
    public void The_json_has_the_issue_key_names_and_null_for_what_was_not_measured()
    {
        var report = new BenchmarkReport(150, 2048,
            [new ShapeBenchmark("tiny", 875_264, 20_000, 0.3, 7_000, 1_000, 60), new ShapeBenchmark("small", 12_318_720, 2_500, 0.5, 1_500, null, 3)],
            new PpoIterationCost(2.5, 1, 0.5, 0.9), new LiveTensorCounts(40, 40, 1000), 800,
            new BenchmarkMachine("cpu", 2, 2, 2, "2.10.0", "Patched: x"), 2, 5);
        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;
        Assert.Equal(150, root.GetProperty("matmul_gflops").GetDouble());
        foreach (var name in new[] { "tiny", "small" })
        {
            var shape = root.GetProperty(name);
            Assert.Equal(["train_tokens_per_s", "mfu", "gen_kv_tokens_per_s", "gen_nocache_tokens_per_s", "dpo_pairs_per_s", "parameters"],
                shape.EnumerateObject().Select(p => p.Name));
        }
        Assert.Equal(1000, root.GetProperty("tiny").GetProperty("gen_nocache_tokens_per_s").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("small").GetProperty("gen_nocache_tokens_per_s").ValueKind);
        Assert.Equal(["total", "generation", "scoring", "update"], root.GetProperty("ppo_iteration_seconds").EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.9, root.GetProperty("ppo_iteration_seconds").GetProperty("update").GetDouble());
        Assert.Equal(40, root.GetProperty("live_tensors_before").GetInt64());
        Assert.Equal(40, root.GetProperty("live_tensors_after").GetInt64());
        Assert.Equal(800, root.GetProperty("peak_memory_mb").GetDouble());
        Assert.Equal("Patched: x", root.GetProperty("machine").GetProperty("mkl_vendor_patch").GetString());
    }

    [Fact]
    public void A_saved_report_reads_back_and_renders_ratios_against_the_tuned_reference()
    {
        var report = new BenchmarkReport(376, 2048,
            [new ShapeBenchmark("tiny", 875_264, 22_900, 0.32, 3_860, 1_050, 71.2), new ShapeBenchmark("small", 12_318_720, 2_000, 0.4, 1_550, null, 3.5)],
            new PpoIterationCost(2.5, 1, 0.5, 0.9), new LiveTensorCounts(40, 40, 1000), 800,
            new BenchmarkMachine("AMD EPYC", 2, 2, 1, "2.10.0.0", "Patched: it's patched"), 2, 5);
        var back = BenchmarkReport.FromJson(report.ToJson(), "report.json");
        Assert.Equal(report.ToJson(), back.ToJson());
        Assert.Null(back.Shapes.Single(s => s.Name == "small").GenerationNoCacheTokensPerSecond);

        var markdown = ReferenceFigures.Markdown(back);
        // tiny train 22,900 / 22,900 = 1.00 (>= 0.9: met); tiny KV 3,860 / 7,720 = 0.50 (< 1.0: not met); small train 2,000 / 2,860 = 0.70.
        Assert.Contains("| tiny | train tokens/s | 13,900 | 22,900 | 22,900 | 1.00 | >= 0.9x: met |", markdown);
        Assert.Contains("| tiny | KV-cache generation, new tokens/s | 5,250 | 7,720 | 3,860 | 0.50 | >= 1.0x: not met |", markdown);
        Assert.Contains("| small | train tokens/s | 1,460 | 2,860 | 2,000 | 0.70 | >= 0.9x: not met |", markdown);
        Assert.Contains("| 40 / 40 |", markdown);

        var broken = Assert.Throws<InvalidDataException>(() => BenchmarkReport.FromJson("{\"matmul_gflops\": 1}", "docs/benchmarks.json"));
        Assert.Contains("docs/benchmarks.json", broken.Message);
        Assert.Contains("matmul_size", broken.Message);
    }
}
