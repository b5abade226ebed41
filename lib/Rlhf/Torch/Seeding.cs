using TorchSharp;

namespace Rlhf.Torch;

/// <summary>One place to seed every random source the project uses, so the same seed gives the same numbers on CPU.</summary>
public static class Seeding
{
    /// <summary>Seeds torch's global generator (CPU and, when present, every CUDA device).</summary>
    public static void Seed(long seed)
    {
        TorchRuntime.Init();
        torch.random.manual_seed(seed);
        if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
    }

    /// <summary>A .NET random generator derived deterministically from <paramref name="seed"/> and a purpose
    /// (e.g. the step number), for data order and other host-side choices.</summary>
    public static Random Derive(long seed, long purpose) => new((int)(Mix(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)purpose)) >> 33));

    /// <summary>SplitMix64's finaliser (Steele et al. 2014): a fixed, well-spread 64-bit mix (HashCode is randomised per process).</summary>
    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
