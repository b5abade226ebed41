using System.Runtime.InteropServices;
using Rlhf.Torch;
using TorchSharp;

namespace Rlhf.Tests.Torch;

public class MklDispatchTests
{
    [Fact]
    public void The_vendor_patch_is_applied_exactly_on_non_intel_linux_x64()
    {
        TorchRuntime.Init();
        var report = Assert.IsType<MklDispatchReport>(MklDispatch.Report);
        bool linuxX64 = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;
        var disabled = Environment.GetEnvironmentVariable(MklDispatch.Variable)?.Trim().ToLowerInvariant() is "0" or "off" or "false";
        var expected = !linuxX64 ? MklDispatchState.NotApplicable
            : disabled ? MklDispatchState.Disabled
            : MklDispatch.CpuVendor() == "GenuineIntel" ? MklDispatchState.NotNeeded
            : MklDispatchState.Patched;
        Assert.True(expected == report.State, report.Detail);
        Assert.Same(report, MklDispatch.Apply()); // decided once
    }

    [Fact]
    public void Matrix_products_on_the_chosen_kernels_agree_with_float64()
    {
        TorchRuntime.Init();
        var generator = new torch.Generator(7);
        using var a = torch.randn([257, 384], generator: generator); // odd sizes reach the kernels' edge handling
        using var b = torch.randn([384, 129], generator: generator);
        using var product = a.matmul(b);
        using var exact = a.to(torch.float64).matmul(b.to(torch.float64));
        // float32 accumulation over 384 terms of N(0,1) products: error ~ 1e-5 relative to the O(20) entries.
        Assert.True(product.to(torch.float64).allclose(exact, rtol: 1e-4, atol: 1e-3));
    }
}
