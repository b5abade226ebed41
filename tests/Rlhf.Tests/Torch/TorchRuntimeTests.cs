using Rlhf.Torch;
using TorchSharp;

namespace Rlhf.Tests.Torch;

public class TorchRuntimeTests
{
    [Fact]
    public void A_tensor_operation_runs_and_gives_the_right_numbers()
    {
        TorchRuntime.Init();
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        using var b = torch.tensor(new float[] { 5, 6, 7, 8 }, 2, 2);
        using var product = a.matmul(b);
        // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]]
        Assert.Equal(new float[] { 19, 22, 43, 50 }, product.data<float>().ToArray());
    }

    [Fact]
    public void The_compatibility_copy_is_used_exactly_when_the_system_libstdcxx_is_too_old()
    {
        var report = TorchRuntime.Init();
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(report.UsedCompatibilityCopy);
            return;
        }
        var systemLibStdCxx = File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libstdc++.so"))
            .Select(f => f[5]).First();
        bool tooOld = !ElfImage.Load(systemLibStdCxx).VersionDefinitions().Contains("GLIBCXX_3.4.32");

        Assert.Equal(tooOld, report.UsedCompatibilityCopy);
        Assert.NotNull(report.LoadedPath);
        if (tooOld)
        {
            Assert.Equal("GLIBCXX_3.4.32", Assert.Single(report.Rewrites).From);
            Assert.NotEqual(report.OriginalPath, report.LoadedPath);
            Assert.Equal(new FileInfo(report.OriginalPath!).Length, new FileInfo(report.LoadedPath!).Length);
        }
    }

    [Fact]
    public void The_device_is_chosen_once_and_tensors_use_it()
    {
        var device = TorchRuntime.Device;
        Assert.Same(device, TorchRuntime.Device);
        Assert.Equal(torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, device.type);
        using var t = torch.ones(3, device: device);
        Assert.Equal(device.type, t.device_type);
    }

    [Fact]
    public void Unknown_or_unavailable_devices_are_refused_with_a_clear_message()
    {
        var unknown = Assert.Throws<ArgumentException>(() => TorchRuntime.SelectDevice("tpu"));
        Assert.Contains("tpu", unknown.Message);
        if (!torch.cuda.is_available())
        {
            var cuda = Assert.Throws<InvalidOperationException>(() => TorchRuntime.SelectDevice("cuda"));
            Assert.Contains("TorchBackend=cuda", cuda.Message);
        }
    }

    [Fact]
    public void Matmul_throughput_is_measured()
    {
        var gflops = TorchRuntime.MeasureMatmulGflops(TorchRuntime.Device, TimeSpan.FromMilliseconds(200), size: 256);
        Assert.InRange(gflops, 0.01, 1e6);
    }
}
