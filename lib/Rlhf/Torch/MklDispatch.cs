using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Rlhf.Torch;

/// <summary>What <see cref="MklDispatch.Apply"/> found and did.</summary>
public enum MklDispatchState
{
    /// <summary>Not Linux x64, or the loaded libtorch has no MKL inside (nothing to do).</summary>
    NotApplicable,

    /// <summary>The CPU is Intel's: MKL already uses its fastest kernels.</summary>
    NotNeeded,

    /// <summary>Turned off with <see cref="MklDispatch.Variable"/>.</summary>
    Disabled,

    /// <summary>MKL's vendor check now answers "Intel", so it picks its kernels by instruction set alone.</summary>
    Patched,

    /// <summary>The patch was wanted but could not be written (the detail says why); MKL runs unchanged.</summary>
    Failed,
}

/// <summary>The outcome of <see cref="MklDispatch.Apply"/>, shown by <c>rlhf doctor</c> and <c>rlhf bench</c>.</summary>
/// <param name="State">What happened.</param>
/// <param name="Detail">One line for people: the CPU vendor, the library patched, or the error.</param>
public sealed record MklDispatchReport(MklDispatchState State, string Detail);

/// <summary>
/// Lets the Intel oneMKL inside libtorch use its AVX-512/AVX2 kernels on AMD CPUs. libtorch's Linux CPU build links
/// oneMKL (2024.0 in libtorch 2.10) into <c>libtorch_cpu.so</c>, and MKL chooses its matrix-multiply kernels by CPU
/// vendor as well as by instruction set: on a non-Intel CPU it runs a generic path even when the CPU has AVX-512
/// (<c>MKL_VERBOSE=1</c> prints "Intel(R) Architecture processors"; on this project's AMD EPYC a 2048^3 sgemm on one
/// core went from 59 to 129 GFLOP/s with the patch, see docs/benchmarks.md). The old switch
/// <c>MKL_DEBUG_CPU_TYPE=5</c> is ignored by MKL 2020.1 and later, and <c>MKL_ENABLE_INSTRUCTIONS</c> only lowers
/// the level. MKL asks two exported functions, <c>mkl_serv_intel_cpu_true</c> and <c>mkl_serv_intel_cpu</c>, whether
/// the CPU is Intel's; <see cref="Apply"/> rewrites both, in this process's memory only (the file is never changed),
/// to return 1, before MKL's first call. MKL still reads the CPU's feature bits, so a CPU without AVX-512 gets the
/// AVX2 path and never an instruction it lacks. Set <see cref="Variable"/> to <c>0</c> to leave MKL unchanged.
/// </summary>
public static class MklDispatch
{
    /// <summary>Environment variable that turns the patch off when set to <c>0</c>, <c>off</c> or <c>false</c>.</summary>
    public const string Variable = "RLHF_MKL_VENDOR_PATCH";

    /// <summary>The exported MKL functions that answer "is this an Intel CPU?" (each caches its answer on first call).</summary>
    public static IReadOnlyList<string> VendorFunctions { get; } = ["mkl_serv_intel_cpu_true", "mkl_serv_intel_cpu"];

    // x86-64: mov eax, 1; ret
    static readonly byte[] ReturnOne = [0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3];
    const string LibraryFile = "libtorch_cpu.so";
    static readonly Lock gate = new();
    static MklDispatchReport? report;

    /// <summary>The outcome, once <see cref="Apply"/> has run (it runs when TorchSharp's native library is loaded).</summary>
    public static MklDispatchReport? Report { get { lock (gate) return report; } }

    /// <summary>The CPU vendor string from CPUID leaf 0 (<c>GenuineIntel</c>, <c>AuthenticAMD</c>, ...), or null off x86.</summary>
    public static string? CpuVendor()
    {
        if (!X86Base.IsSupported) return null;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        var bytes = new byte[12];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), ebx);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), edx);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), ecx);
        return Encoding.ASCII.GetString(bytes);
    }

    /// <summary>
    /// Patches MKL's vendor check in the loaded <c>libtorch_cpu.so</c> when the CPU is not Intel's (idempotent; the
    /// first call decides). Call it after libtorch is loaded and before any matrix multiply:
    /// <see cref="TorchNative.Load"/> does.
    /// </summary>
    public static MklDispatchReport Apply()
    {
        lock (gate) return report ??= Decide();
    }

    static MklDispatchReport Decide()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return new(MklDispatchState.NotApplicable, "only Linux x64 builds of libtorch link MKL this way");
        var setting = Environment.GetEnvironmentVariable(Variable)?.Trim().ToLowerInvariant();
        if (setting is "0" or "off" or "false")
            return new(MklDispatchState.Disabled, $"{Variable}={setting}: MKL's own vendor check is kept");
        var vendor = CpuVendor() ?? "unknown";
        if (vendor == "GenuineIntel") return new(MklDispatchState.NotNeeded, "Intel CPU: MKL already uses its fastest kernels");
        var library = LoadedLibraryPath(LibraryFile);
        if (library is null) return new(MklDispatchState.NotApplicable, $"{LibraryFile} is not loaded in this process");
        if (!NativeLibrary.TryLoad(library, out var handle)) return new(MklDispatchState.Failed, $"could not open {library}");
        try
        {
            var addresses = new List<IntPtr>();
            foreach (var name in VendorFunctions)
            {
                if (!NativeLibrary.TryGetExport(handle, name, out var address))
                    return new(MklDispatchState.NotApplicable, $"{library} exports no {name} (no MKL inside)");
                addresses.Add(address);
            }
            // /proc/self/mem writes through the page protection (copy-on-write of this process's code page), as debuggers do.
            using (var memory = new FileStream("/proc/self/mem", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0))
            {
                foreach (var address in addresses)
                {
                    memory.Position = address;
                    memory.Write(ReturnOne);
                }
            }
            foreach (var address in addresses)
            {
                var written = new byte[ReturnOne.Length];
                Marshal.Copy(address, written, 0, written.Length);
                if (!written.AsSpan().SequenceEqual(ReturnOne)) return new(MklDispatchState.Failed, $"the patch did not stick at 0x{address:x}");
            }
            return new(MklDispatchState.Patched, $"{vendor} CPU: MKL's vendor check in {Path.GetFileName(library)} answers Intel, kernels chosen by instruction set");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return new(MklDispatchState.Failed, $"could not write /proc/self/mem ({e.Message}); MKL runs its generic path on this {vendor} CPU");
        }
        finally
        {
            NativeLibrary.Free(handle); // the reference taken above; libtorch itself stays loaded
        }
    }

    static string? LoadedLibraryPath(string fileName) =>
        File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && Path.GetFileName(fields[5].Trim()) == fileName)
            .Select(fields => fields[5].Trim())
            .FirstOrDefault();
}
