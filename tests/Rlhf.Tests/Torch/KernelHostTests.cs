using System.Diagnostics;
using System.Reflection;
using TorchSharp;

namespace Rlhf.Tests.Torch;

/// <summary>
/// A notebook kernel loads <c>Rlhf.dll</c> with <c>#r</c> and TorchSharp from the NuGet cache, without our
/// <c>.deps.json</c>. F# Interactive (part of the SDK) resolves <c>#r "nuget: …"</c> the same way .NET
/// Interactive does, so it stands in for the kernel here.
/// </summary>
public class KernelHostTests
{
    [Fact]
    public async Task A_kernel_style_host_loads_torch_through_the_library()
    {
        var version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        var library = Repo.Path("lib", "Rlhf", "bin", Repo.Configuration, "net10.0", "Rlhf.dll");
        var script = Path.Combine(Path.GetTempPath(), $"rlhf-kernel-{Guid.NewGuid():N}.fsx");
        File.WriteAllText(script, $"""
            #r "nuget: TorchSharp-cpu, {version}"
            #r "{library}"
            let report = Rlhf.Torch.TorchRuntime.Init()
            let t = TorchSharp.torch.ones(3L, 3L)
            printfn "loaded=%s compat=%b sum=%.1f" report.LoadedPath report.UsedCompatibilityCopy (t.matmul(t).sum().item<float32>())
            """);
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "fsi", "--quiet", script }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var output = stdout + await stderr;
            Assert.True(process.ExitCode == 0, output);
            Assert.Contains("sum=27.0", output); // ones(3,3) @ ones(3,3) is all 3s: the sum is 27
        }
        finally
        {
            File.Delete(script);
        }
    }
}
