using System.Text.Json;

namespace Rlhf.Tests.Benchmarks;

public class BenchCommandTests
{
    [Fact]
    public void A_smoke_run_prints_one_json_object_with_every_figure()
    {
        // Toy sizes so the run takes seconds; the PPO iteration is the real course default on the shipped checkpoints.
        var (exitCode, output) = Repo.RunCli(null, "bench", "--json", "--config", "smoke", "--runs", "1", "--warmup", "1",
            "--matmul-size", "64", "--leak-steps", "20");
        Assert.True(exitCode == 0, output);
        var jsonStart = output.IndexOf("{\n", StringComparison.Ordinal);
        Assert.True(jsonStart >= 0, output);
        var jsonEnd = output.LastIndexOf('}');
        using var json = JsonDocument.Parse(output[jsonStart..(jsonEnd + 1)]);
        var root = json.RootElement;
        Assert.True(root.GetProperty("matmul_gflops").GetDouble() > 0);
        Assert.False(root.TryGetProperty("tiny", out _));
        Assert.False(root.TryGetProperty("small", out _));
        var smoke = root.GetProperty("smoke");
        foreach (var key in new[] { "train_tokens_per_s", "mfu", "gen_kv_tokens_per_s", "gen_nocache_tokens_per_s", "dpo_pairs_per_s" })
            Assert.True(smoke.GetProperty(key).GetDouble() > 0, key);
        var ppo = root.GetProperty("ppo_iteration_seconds");
        foreach (var key in new[] { "total", "generation", "scoring", "update" })
            Assert.True(ppo.GetProperty(key).GetDouble() > 0, key);
        // Not a speed: a training step that leaked would leave more live tensors after 20 steps than before.
        Assert.Equal(root.GetProperty("live_tensors_before").GetInt64(), root.GetProperty("live_tensors_after").GetInt64());
        Assert.Equal(20, root.GetProperty("live_tensor_steps").GetInt32());
        Assert.True(root.GetProperty("peak_memory_mb").GetDouble() > 0);
        Assert.Contains("bench: float32 matmul", output); // progress went to stderr, around the JSON on stdout
    }

    [Fact]
    public void Unknown_shapes_and_bad_counts_are_refused_with_the_field_named()
    {
        var (exitCode, output) = Repo.RunCli(null, "bench", "--config", "huge");
        Assert.Equal(2, exitCode);
        Assert.Contains("'huge'", output);
        Assert.Contains("tiny, small, smoke", output);
        var (runsExit, runsOutput) = Repo.RunCli(null, "bench", "--runs", "0");
        Assert.Equal(2, runsExit);
        Assert.Contains("TimedRuns", runsOutput);
        var (leakExit, leakOutput) = Repo.RunCli(null, "bench", "--matmul-size", "0");
        Assert.Equal(2, leakExit);
        Assert.Contains("MatmulSize", leakOutput);
    }
}
