using System.Diagnostics;
using Rlhf.Models;
using Rlhf.Torch;
using static TorchSharp.torch;

namespace Rlhf.Benchmarks;

/// <summary>
/// <c>rlhf bench</c>'s measurements (issue 10), in order: the float32 matmul peak; per shape, training tokens/s and MFU,
/// generation with and without the KV cache, DPO pairs/s; one PPO iteration of the course default split into its parts;
/// live tensors around many training steps; the process's peak memory. Every figure is a median of timed runs after
/// warm-up runs (<see cref="BenchmarkOptions"/>). Nothing is written to disk.
/// </summary>
public static class Benchmark
{
    /// <summary>Runs every measurement <paramref name="options"/> asks for, telling <paramref name="progress"/> what starts next.</summary>
    public static BenchmarkReport Run(BenchmarkOptions options, Action<string>? progress = null)
    {
        options.Validate();
        TorchRuntime.Init();
        if (options.Threads is int threads) set_num_threads(threads);
        var device = TorchRuntime.Device;
        int warmup = options.WarmupRuns, runs = options.TimedRuns;
        manual_seed(1);

        progress?.Invoke($"float32 matmul {options.MatmulSize}^3");
        double gflops = TorchRuntime.MeasureMatmulGflops(device, options.MatmulSize, warmup, runs);

        var shapes = new List<ShapeBenchmark>();
        foreach (var shape in options.Shapes)
        {
            progress?.Invoke($"{shape.Name}: training {shape.TrainBatch} x {shape.TrainLength}");
            var training = ModelSpeed.MeasureTrainingStep(shape.Model, shape.TrainBatch, shape.TrainLength, runs, warmup);
            // MFU: 6 N FLOPs per token for forward + backward (Kaplan et al. 2020, eq. 2.1-2.2; attention's share left out, as the reference did).
            double mfu = 6.0 * training.ParameterCount * training.TokensPerSecond / (gflops * 1e9);

            double kv, dpo;
            double? noCache = null;
            using (var model = new Gpt(shape.Model, device))
            {
                progress?.Invoke($"{shape.Name}: generation with the KV cache, {shape.GenerationBatch} x ({shape.PromptLength} + {shape.NewTokens})");
                kv = GenerationSpeed.NewTokensPerSecond(model, shape, useKvCache: true, warmup, runs);
                if (shape.MeasureNoCache)
                {
                    progress?.Invoke($"{shape.Name}: generation without the cache");
                    noCache = GenerationSpeed.NewTokensPerSecond(model, shape, useKvCache: false, warmup, runs);
                }
            }
            progress?.Invoke($"{shape.Name}: DPO step, {shape.DpoPairs} pairs x {shape.DpoLength}");
            dpo = DpoSpeed.PairsPerSecond(shape, warmup, runs, device);
            shapes.Add(new ShapeBenchmark(shape.Name, training.ParameterCount, training.TokensPerSecond, mfu, kv, noCache, dpo));
        }

        PpoIterationCost? ppo = null;
        if (options.Ppo is { } ppoOptions)
        {
            progress?.Invoke($"PPO iteration of the course default ({ppoOptions.RolloutBatchSize} prompts x {ppoOptions.ResponseLength} tokens, {ppoOptions.PpoEpochs} epochs)");
            ppo = PpoIterationSpeed.Measure(ppoOptions, options.PpoWarmupIterations, runs);
        }

        progress?.Invoke($"live tensors around {options.LeakSteps:N0} training steps");
        var live = TensorLeakCheck.Run(options.LeakModel, options.LeakBatch, options.LeakLength, options.LeakSteps, device);

        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        return new BenchmarkReport(gflops, options.MatmulSize, shapes, ppo, live, peak, DescribeMachine(device), warmup, runs);
    }

    /// <summary>The CPU model (or CUDA device), cores, torch's thread counts, libtorch's version and the MKL patch state.</summary>
    public static BenchmarkMachine DescribeMachine(Device device)
    {
        string cpu = device.type == TorchSharp.DeviceType.CUDA ? $"CUDA device {device.index}" : CpuModel();
        var mkl = MklDispatch.Report is { } report ? $"{report.State}: {report.Detail}" : "not decided";
        return new BenchmarkMachine(cpu, Environment.ProcessorCount, get_num_threads(), get_num_interop_threads(), __version__, mkl);
    }

    static string CpuModel()
    {
        const string info = "/proc/cpuinfo";
        var line = File.Exists(info) ? File.ReadLines(info).FirstOrDefault(l => l.StartsWith("model name")) : null;
        return line?.Split(':', 2)[1].Trim() ?? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }
}
