using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Benchmarks;

/// <summary>The figures of one <see cref="BenchmarkShape"/> (medians).</summary>
/// <param name="Name">The shape's name, its key in the JSON.</param>
/// <param name="ParameterCount">Trainable parameters of the model (tied head counted once).</param>
/// <param name="TrainTokensPerSecond">Training tokens per second (B · T per forward + backward + AdamW step).</param>
/// <param name="ModelFlopsUtilisation">6 · parameters · tokens/s over the measured matmul peak.</param>
/// <param name="GenerationKvTokensPerSecond">New tokens per second with the KV cache.</param>
/// <param name="GenerationNoCacheTokensPerSecond">New tokens per second recomputing the whole prefix each step; null when not measured.</param>
/// <param name="DpoPairsPerSecond">Preference pairs per second of a DPO step.</param>
public sealed record ShapeBenchmark(
    string Name, long ParameterCount, double TrainTokensPerSecond, double ModelFlopsUtilisation, double GenerationKvTokensPerSecond,
    double? GenerationNoCacheTokensPerSecond, double DpoPairsPerSecond);

/// <summary>Where the figures were measured.</summary>
/// <param name="Cpu">The CPU model name (<c>/proc/cpuinfo</c>) or the CUDA device.</param>
/// <param name="LogicalCores">Logical cores the process sees.</param>
/// <param name="TorchThreads">torch's intra-op threads.</param>
/// <param name="TorchInteropThreads">torch's inter-op threads.</param>
/// <param name="LibTorch">The libtorch version.</param>
/// <param name="MklVendorPatch">What <see cref="Torch.MklDispatch"/> did.</param>
public sealed record BenchmarkMachine(string Cpu, int LogicalCores, int TorchThreads, int TorchInteropThreads, string LibTorch, string MklVendorPatch);

/// <summary>Everything <c>rlhf bench</c> measured; <see cref="ToJson"/> is the <c>--json</c> output (issue 10's key names).</summary>
/// <param name="MatmulGflops">float32 n x n x n matmul throughput (median), 2 n³ operations per product.</param>
/// <param name="MatmulSize">n.</param>
/// <param name="Shapes">One entry per measured shape.</param>
/// <param name="Ppo">The PPO iteration, or null when skipped.</param>
/// <param name="LiveTensors">Live tensors around the training steps of the leak check.</param>
/// <param name="PeakMemoryMegabytes">The process's peak resident memory (VmHWM) when the report was made, in MiB.</param>
/// <param name="Machine">Where it ran.</param>
/// <param name="WarmupRuns">Untimed runs before each measurement.</param>
/// <param name="TimedRuns">Timed runs behind each median.</param>
public sealed record BenchmarkReport(
    double MatmulGflops, int MatmulSize, IReadOnlyList<ShapeBenchmark> Shapes, PpoIterationCost? Ppo, LiveTensorCounts LiveTensors,
    double PeakMemoryMegabytes, BenchmarkMachine Machine, int WarmupRuns, int TimedRuns)
{
    /// <summary>One JSON object: <c>matmul_gflops</c>, one object per shape (<c>train_tokens_per_s</c>, <c>mfu</c>,
    /// <c>gen_kv_tokens_per_s</c>, <c>gen_nocache_tokens_per_s</c>, <c>dpo_pairs_per_s</c>, <c>parameters</c>),
    /// <c>ppo_iteration_seconds</c> (<c>total</c>, <c>generation</c>, <c>scoring</c>, <c>update</c>), <c>live_tensors_before</c>,
    /// <c>live_tensors_after</c>, <c>live_tensor_steps</c>, <c>peak_memory_mb</c>, <c>machine</c> and <c>runs</c>.</summary>
    public string ToJson()
    {
        var root = new JsonObject { ["matmul_gflops"] = Round(MatmulGflops), ["matmul_size"] = MatmulSize };
        foreach (var shape in Shapes)
            root[shape.Name] = new JsonObject
            {
                ["train_tokens_per_s"] = Round(shape.TrainTokensPerSecond),
                ["mfu"] = Round(shape.ModelFlopsUtilisation),
                ["gen_kv_tokens_per_s"] = Round(shape.GenerationKvTokensPerSecond),
                ["gen_nocache_tokens_per_s"] = shape.GenerationNoCacheTokensPerSecond is double noCache ? Round(noCache) : null,
                ["dpo_pairs_per_s"] = Round(shape.DpoPairsPerSecond),
                ["parameters"] = shape.ParameterCount,
            };
        root["ppo_iteration_seconds"] = Ppo is null ? null : new JsonObject
        {
            ["total"] = Round(Ppo.TotalSeconds),
            ["generation"] = Round(Ppo.GenerationSeconds),
            ["scoring"] = Round(Ppo.ScoringSeconds),
            ["update"] = Round(Ppo.UpdateSeconds),
        };
        root["live_tensors_before"] = LiveTensors.Before;
        root["live_tensors_after"] = LiveTensors.After;
        root["live_tensor_steps"] = LiveTensors.Steps;
        root["peak_memory_mb"] = Round(PeakMemoryMegabytes);
        root["machine"] = new JsonObject
        {
            ["cpu"] = Machine.Cpu, ["logical_cores"] = Machine.LogicalCores, ["torch_threads"] = Machine.TorchThreads,
            ["torch_interop_threads"] = Machine.TorchInteropThreads, ["libtorch"] = Machine.LibTorch, ["mkl_vendor_patch"] = Machine.MklVendorPatch,
        };
        root["runs"] = new JsonObject { ["warmup"] = WarmupRuns, ["timed"] = TimedRuns, ["statistic"] = "median" };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>Reads back what <see cref="ToJson"/> wrote (e.g. docs/benchmarks.json), to render it again without measuring.
    /// Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> and the missing or malformed key.</summary>
    public static BenchmarkReport FromJson(string json, string source)
    {
        JsonNode root;
        try
        {
            root = JsonNode.Parse(json) ?? throw new InvalidDataException($"{source}: empty JSON");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not JSON ({e.Message})", e);
        }
        JsonNode Get(JsonNode node, string key, string path) =>
            node[key] ?? throw new InvalidDataException($"{source}: \"{path}{key}\" is missing");
        double Number(JsonNode node, string key, string path = "")
        {
            try { return Get(node, key, path).GetValue<double>(); }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{source}: \"{path}{key}\" is not a number", e);
            }
        }
        string Text(JsonNode node, string key, string path) => Get(node, key, path).GetValue<string>();

        double matmul = Number(root, "matmul_gflops"), size = Number(root, "matmul_size");
        var shapes = root.AsObject()
            .Where(p => p.Value is JsonObject o && o.ContainsKey("train_tokens_per_s"))
            .Select(p =>
            {
                var o = p.Value!;
                string at = p.Key + ".";
                double? noCache = o["gen_nocache_tokens_per_s"] is null ? null : Number(o, "gen_nocache_tokens_per_s", at);
                return new ShapeBenchmark(p.Key, (long)Number(o, "parameters", at), Number(o, "train_tokens_per_s", at), Number(o, "mfu", at),
                    Number(o, "gen_kv_tokens_per_s", at), noCache, Number(o, "dpo_pairs_per_s", at));
            })
            .ToList();
        var ppoNode = root["ppo_iteration_seconds"];
        var ppo = ppoNode is null ? null : new PpoIterationCost(Number(ppoNode, "total", "ppo_iteration_seconds."),
            Number(ppoNode, "generation", "ppo_iteration_seconds."), Number(ppoNode, "scoring", "ppo_iteration_seconds."),
            Number(ppoNode, "update", "ppo_iteration_seconds."));
        var machine = Get(root, "machine", "");
        var runs = Get(root, "runs", "");
        return new BenchmarkReport(matmul, (int)size, shapes, ppo,
            new LiveTensorCounts((long)Number(root, "live_tensors_before"), (long)Number(root, "live_tensors_after"), (int)Number(root, "live_tensor_steps")),
            Number(root, "peak_memory_mb"),
            new BenchmarkMachine(Text(machine, "cpu", "machine."), (int)Number(machine, "logical_cores", "machine."), (int)Number(machine, "torch_threads", "machine."),
                (int)Number(machine, "torch_interop_threads", "machine."), Text(machine, "libtorch", "machine."), Text(machine, "mkl_vendor_patch", "machine.")),
            (int)Number(runs, "warmup", "runs."), (int)Number(runs, "timed", "runs."));
    }

    /// <summary>Four significant digits: enough for figures that vary by a few percent between runs, never rounded to 0.</summary>
    static double Round(double value) =>
        value == 0 || !double.IsFinite(value) ? value : Math.Round(value, Math.Clamp(3 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, 15));
}
