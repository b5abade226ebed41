using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Torch;

/// <summary>The facts <c>rlhf doctor</c> and notebook 00 show about the machine.</summary>
/// <param name="DotnetVersion">The .NET runtime running this process.</param>
/// <param name="TorchSharpVersion">The TorchSharp managed assembly's version.</param>
/// <param name="LibTorchVersion">The libtorch version TorchSharp was built against.</param>
/// <param name="Device">The chosen device, e.g. <c>cpu</c> or <c>cuda:0</c>.</param>
/// <param name="DeviceDescription">CPU threads, or the CUDA device count.</param>
/// <param name="Native">How the native library was loaded.</param>
public sealed record TorchEnvironment(
    string DotnetVersion, string TorchSharpVersion, string LibTorchVersion, string Device, string DeviceDescription,
    NativeLoadReport Native);

/// <summary>
/// The one entry point to Torch for the whole project: loads the native library (with the libstdc++
/// compatibility fallback), and chooses the device once (CUDA when available, else CPU) so every model,
/// trainer and notebook uses the same one. Override with <see cref="SelectDevice"/> or the
/// <c>RLHF_DEVICE</c> environment variable (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>).
/// </summary>
public static class TorchRuntime
{
    /// <summary>Environment variable that overrides the device choice.</summary>
    public const string DeviceVariable = "RLHF_DEVICE";

    static readonly Lock gate = new();
    static Device? device;

    /// <summary>Loads TorchSharp's native library if needed and returns how it was loaded.
    /// Call it first in a notebook; library code calls it implicitly through <see cref="Device"/>.</summary>
    public static NativeLoadReport Init()
    {
        var report = TorchNative.Load();
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is not TorchLoadException)
        {
            throw new TorchLoadException(
                $"TorchSharp loaded {report.LoadedPath ?? "its native library"} but could not initialise: {e.Message}\nSteps:\n  " +
                string.Join("\n  ", report.Steps), e);
        }
        return report;
    }

    /// <summary>The device every model and tensor of the project uses (chosen on first use).</summary>
    public static Device Device
    {
        get
        {
            lock (gate)
            {
                if (device is not null) return device;
                Init();
                device = Parse(Environment.GetEnvironmentVariable(DeviceVariable) ?? "auto");
                return device;
            }
        }
    }

    /// <summary>Chooses the device explicitly: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.
    /// Throws when CUDA is asked for and not available.</summary>
    public static Device SelectDevice(string spec)
    {
        Init();
        var chosen = Parse(spec);
        lock (gate) device = chosen;
        return chosen;
    }

    static Device Parse(string spec)
    {
        var text = spec.Trim().ToLowerInvariant();
        if (text is "" or "auto") return cuda.is_available() ? torch.CUDA : torch.CPU;
        if (text == "cpu") return torch.CPU;
        if (text.StartsWith("cuda"))
        {
            if (!cuda.is_available())
                throw new InvalidOperationException(
                    $"Device '{spec}' was requested ({DeviceVariable} or SelectDevice) but CUDA is not available: " +
                    "build with -p:TorchBackend=cuda on a machine with an NVIDIA driver, or use 'cpu'.");
            return torch.device(text);
        }
        throw new ArgumentException($"Unknown device '{spec}': use auto, cpu, cuda or cuda:N ({DeviceVariable}).", nameof(spec));
    }

    /// <summary>Describes the runtime, the TorchSharp build and the chosen device.</summary>
    public static TorchEnvironment Describe()
    {
        var chosen = Device;
        var assembly = typeof(torch).Assembly;
        var torchSharp = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
                         ?? assembly.GetName().Version?.ToString() ?? "unknown";
        var description = chosen.type == DeviceType.CUDA
            ? $"CUDA device {chosen.index} of {cuda.device_count()}"
            : $"CPU, {torch.get_num_threads()} threads ({RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical cores)";
        return new TorchEnvironment(RuntimeInformation.FrameworkDescription, torchSharp, torch.__version__, chosen.ToString(),
            description, TorchNative.Report ?? Init());
    }

    /// <summary>Measures float32 matrix-multiply throughput on <paramref name="target"/> for about
    /// <paramref name="duration"/> (after a warm-up), in GFLOP/s (2·n³ floating-point operations per product).</summary>
    public static double MeasureMatmulGflops(Device target, TimeSpan duration, int size = 1024)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(size, size, device: target);
        var b = torch.randn(size, size, device: target);
        Synchronize(target, a.matmul(b));
        long products = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            using var c = a.matmul(b);
            Synchronize(target, c);
            products++;
        }
        return 2.0 * size * size * size * products / clock.Elapsed.TotalSeconds / 1e9;
    }

    /// <summary>Median float32 matrix-multiply throughput on <paramref name="target"/> in GFLOP/s (2·n³ operations per
    /// n x n product) over <paramref name="runs"/> products after <paramref name="warmup"/> untimed ones: the peak that
    /// <c>rlhf bench</c> divides by for the model-FLOPs utilisation.</summary>
    public static double MeasureMatmulGflops(Device target, int size, int warmup, int runs)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "must be at least 1");
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(size, size, device: target);
        var b = torch.randn(size, size, device: target);
        var seconds = Benchmarks.Timing.Seconds(warmup, runs, () =>
        {
            using var c = a.matmul(b);
            Synchronize(target, c);
        });
        return 2.0 * size * size * size / Benchmarks.Timing.Median(seconds) / 1e9;
    }

    static void Synchronize(Device target, Tensor t)
    {
        if (target.type == DeviceType.CUDA) cuda.synchronize(target);
        else _ = t.Handle; // CPU ops are synchronous: the product is complete when matmul returns
    }
}
