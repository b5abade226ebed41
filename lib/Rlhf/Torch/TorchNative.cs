using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace Rlhf.Torch;

/// <summary>What happened when TorchSharp's native library was loaded.</summary>
/// <param name="OriginalPath">The <c>libLibTorchSharp</c> that ships with the TorchSharp package, as found.</param>
/// <param name="LoadedPath">The file actually loaded (the original, or the compatibility copy).</param>
/// <param name="UsedCompatibilityCopy">True when the original could not load and a patched copy was used.</param>
/// <param name="SystemLibStdCxx">Path of the system libstdc++ and its newest GLIBCXX version, when it was inspected.</param>
/// <param name="Rewrites">The version-need entries the compatibility copy renames.</param>
/// <param name="Steps">Everything that was tried, in order (shown when loading fails).</param>
public sealed record NativeLoadReport(
    string? OriginalPath, string? LoadedPath, bool UsedCompatibilityCopy, string? SystemLibStdCxx,
    IReadOnlyList<VersionRewrite> Rewrites, IReadOnlyList<string> Steps);

/// <summary>Thrown when TorchSharp's native library cannot be loaded by any means; the message lists what was tried.</summary>
public sealed class TorchLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Makes sure TorchSharp's native library loads on Linux systems whose libstdc++ is older than the one it
/// was built against (Debian 12, Ubuntu 22.04), in every host: the CLI, the tests, and notebook kernels
/// that load <c>Rlhf.dll</c> without its <c>.deps.json</c>.
/// </summary>
/// <remarks>
/// A <see cref="NativeLibrary.SetDllImportResolver"/> on the TorchSharp assembly answers TorchSharp's
/// request for <c>LibTorchSharp</c>: it loads the package's own file when that works (a no-op on newer
/// systems and on Windows/macOS), and otherwise a patched copy (see <see cref="VersionNeedPatcher"/>)
/// kept in a per-user cache folder named by the original's SHA-256, so the NuGet cache and the build
/// output are never modified. The resolver is installed when <c>Rlhf.dll</c> is loaded (module
/// initialiser) and by <see cref="TorchRuntime.Init"/>.
/// </remarks>
public static class TorchNative
{
    const string LibraryName = "LibTorchSharp";
    const string FileName = "libLibTorchSharp.so";
    const string LibStdCxx = "libstdc++.so.6";

    /// <summary>Environment variable naming the folder for compatibility copies (default: the user's cache folder).</summary>
    public const string CacheVariable = "RLHF_NATIVE_CACHE";

    static readonly Lock gate = new();
    static bool resolverInstalled;
    static IntPtr handle;
    static NativeLoadReport? report;

    /// <summary>The report of the load, once TorchSharp's native library has been requested.</summary>
    public static NativeLoadReport? Report { get { lock (gate) return report; } }

#pragma warning disable CA2255 // A library module initialiser is the point: it must run before TorchSharp's first P/Invoke.
    [ModuleInitializer]
    internal static void InstallOnLoad() => InstallResolver();
#pragma warning restore CA2255

    /// <summary>Installs the resolver on the TorchSharp assembly (idempotent). Returns false when another
    /// component had already installed one (then TorchSharp's default loading applies).</summary>
    public static bool InstallResolver()
    {
        lock (gate)
        {
            if (resolverInstalled) return true;
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, Resolve);
                resolverInstalled = true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
            return true;
        }
    }

    /// <summary>Loads the native library now (if not yet) and returns the report; throws <see cref="TorchLoadException"/>
    /// naming every step when it cannot be loaded.</summary>
    public static NativeLoadReport Load()
    {
        InstallResolver();
        if (!OperatingSystem.IsLinux())
            return report ??= new NativeLoadReport(null, null, false, null, [], ["not Linux: TorchSharp's own loader is used unchanged"]);
        lock (gate)
        {
            if (report is null || handle == IntPtr.Zero) LoadLocked();
            if (handle != IntPtr.Zero) MklDispatch.Apply();
            if (handle == IntPtr.Zero)
                throw new TorchLoadException(
                    "TorchSharp's native library could not be loaded.\nWhat was tried:\n  " + string.Join("\n  ", report!.Steps) +
                    "\nWhat you can do: run `dotnet build` so the TorchSharp packages are restored; on an older Linux make sure " +
                    $"the folder in {CacheVariable} (default ~/.cache/rlhf-notebooks/native) is writable, or install a libstdc++ from GCC 13 " +
                    "or later (Ubuntu 24.04, Debian 13). See README.md, section Troubleshooting.");
            return report!;
        }
    }

    static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName || !OperatingSystem.IsLinux()) return IntPtr.Zero;
        lock (gate)
        {
            if (report is null) LoadLocked();
            if (handle != IntPtr.Zero) MklDispatch.Apply(); // before TorchSharp's first call can reach MKL
            return handle; // IntPtr.Zero falls back to the runtime's default search (and its error message).
        }
    }

    static void LoadLocked()
    {
        var steps = new List<string>();
        var original = FindOriginal(steps);
        if (original is null)
        {
            report = new NativeLoadReport(null, null, false, null, [], steps);
            return;
        }
        // TorchSharp from the NuGet cache (notebook kernels) has libtorch in a sibling package that $ORIGIN cannot see.
        PreloadDependencies(original, steps);
        try
        {
            handle = NativeLibrary.Load(original);
            steps.Add($"loaded {original}");
            report = new NativeLoadReport(original, original, false, null, [], steps);
            return;
        }
        catch (DllNotFoundException e)
        {
            steps.Add($"loading {original} failed: {DlError(e)}");
            if (!e.Message.Contains("GLIBCXX_") && !e.Message.Contains("CXXABI_"))
            {
                report = new NativeLoadReport(original, null, false, null, [], steps);
                return;
            }
        }

        string? system = null;
        IReadOnlyList<VersionRewrite> rewrites = [];
        try
        {
            var (systemPath, available) = SystemLibStdCxxVersions();
            system = $"{systemPath} (newest {available.Where(v => v.StartsWith("GLIBCXX_")).Max(VersionNeedPatcher.VersionComparer.Instance)})";
            steps.Add($"system libstdc++: {system}");
            string copy;
            (copy, rewrites) = CompatibilityCopy(original, available, steps);
            handle = NativeLibrary.Load(copy);
            steps.Add($"loaded compatibility copy {copy}");
            report = new NativeLoadReport(original, copy, true, system, rewrites, steps);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or InvalidDataException or DllNotFoundException)
        {
            steps.Add($"compatibility copy (cache folder {CacheRoot()}) failed: {DlError(e)}");
            report = new NativeLoadReport(original, null, false, system, rewrites, steps);
        }
    }

    /// <summary>Candidate folders, in the order the .NET host would search them, then the NuGet package itself.</summary>
    static string? FindOriginal(List<string> steps)
    {
        var folders = NativeSearchFolders().ToList();
        var torchSharpFolder = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchSharpFolder))
        {
            folders.Add(torchSharpFolder);
            folders.Add(Path.Combine(torchSharpFolder, "runtimes", "linux-x64", "native"));
            // Loaded from the NuGet cache (…/torchsharp/<version>/lib/net8.0/TorchSharp.dll), as notebook kernels do.
            folders.Add(Path.GetFullPath(Path.Combine(torchSharpFolder, "..", "..", "runtimes", "linux-x64", "native")));
        }
        foreach (var folder in folders.Distinct())
        {
            var candidate = Path.Combine(folder, FileName);
            if (File.Exists(candidate)) return candidate;
        }
        steps.Add($"{FileName} was not found in: {string.Join(", ", folders.Distinct())}");
        return null;
    }

    static IEnumerable<string> NativeSearchFolders() =>
        (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The system libstdc++ (as the dynamic loader finds it) and the versions it defines.</summary>
    static (string Path, IReadOnlySet<string> Versions) SystemLibStdCxxVersions()
    {
        if (!NativeLibrary.TryLoad(LibStdCxx, out _))
            throw new DllNotFoundException($"{LibStdCxx} could not be loaded at all");
        var path = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && Path.GetFileName(fields[5]).StartsWith("libstdc++.so"))
            .Select(fields => fields[5])
            .FirstOrDefault() ?? throw new DllNotFoundException($"{LibStdCxx} is loaded but not listed in /proc/self/maps");
        return (path, ElfImage.Load(path).VersionDefinitions().ToHashSet());
    }

    static (string Path, IReadOnlyList<VersionRewrite> Rewrites) CompatibilityCopy(
        string original, IReadOnlySet<string> available, List<string> steps)
    {
        var bytes = File.ReadAllBytes(original);
        var (patched, rewrites) = VersionNeedPatcher.Retarget(
            new ElfImage(bytes, original), original, LibStdCxx, available, VersionNeedPatcher.MarkerSymbols);
        if (rewrites.Count == 0)
            throw new NotSupportedException($"'{original}' needs no libstdc++ version this system lacks; the load failure has another cause");
        foreach (var r in rewrites)
            steps.Add($"renaming {r.From} -> {r.To} (bound only to {string.Join(", ", r.Symbols)})");

        var folder = Path.Combine(CacheRoot(), Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]);
        var copy = Path.Combine(folder, FileName);
        if (File.Exists(copy) && File.ReadAllBytes(copy).AsSpan().SequenceEqual(patched))
        {
            steps.Add($"reusing compatibility copy {copy}");
            return (copy, rewrites);
        }
        Directory.CreateDirectory(folder);
        var temporary = $"{copy}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, patched);
        File.Move(temporary, copy, overwrite: true); // atomic: a concurrent loader sees the old file or the new one
        steps.Add($"wrote compatibility copy {copy}");
        return (copy, rewrites);
    }

    static string CacheRoot()
    {
        var configured = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var root = !string.IsNullOrWhiteSpace(xdg) ? xdg
            : !string.IsNullOrWhiteSpace(home) ? Path.Combine(home, ".cache")
            : Path.GetTempPath();
        return Path.Combine(root, "rlhf-notebooks", "native");
    }

    /// <summary>Loads the libtorch libraries <paramref name="original"/> needs by full path, so the dynamic loader matches
    /// them by soname: needed when TorchSharp comes from the NuGet cache (libtorch is in a sibling package) and for the
    /// compatibility copy (it lives outside the package folder, so its <c>$ORIGIN</c> run path cannot find libtorch).</summary>
    static void PreloadDependencies(string original, List<string> steps)
    {
        var folders = new List<string> { Path.GetDirectoryName(original)! };
        folders.AddRange(NativeSearchFolders());
        folders.AddRange(LibTorchPackageFolders(original));
        var pending = ElfImage.Load(original).NeededLibraries
            .Select(name => folders.Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists))
            .OfType<string>()
            .ToList();
        // A library whose own dependencies are not loaded yet fails; retry until nothing more loads.
        for (bool progress = true; pending.Count > 0 && progress;)
        {
            progress = false;
            foreach (var path in pending.ToList())
            {
                if (!NativeLibrary.TryLoad(path, out _)) continue;
                steps.Add($"preloaded {path}");
                pending.Remove(path);
                progress = true;
            }
        }
        foreach (var path in pending) steps.Add($"could not preload {path}");
    }

    /// <summary>When TorchSharp comes from the NuGet cache, libtorch lives in a sibling package.</summary>
    static IEnumerable<string> LibTorchPackageFolders(string original)
    {
        // original = <packages>/torchsharp/<version>/runtimes/linux-x64/native/libLibTorchSharp.so
        var packages = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(original)!, "..", "..", "..", "..", ".."));
        if (!Directory.Exists(packages)) return [];
        return Directory.EnumerateDirectories(packages, "libtorch-*-linux-x64")
            .SelectMany(Directory.EnumerateDirectories)
            .OrderByDescending(v => Path.GetFileName(v), VersionNeedPatcher.VersionComparer.Instance)
            .Select(v => Path.Combine(v, "runtimes", "linux-x64", "native"))
            .Where(Directory.Exists);
    }

    static string DlError(Exception e)
    {
        var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.FirstOrDefault(l => l.Contains("version `") || l.Contains("cannot open")) ?? lines.LastOrDefault() ?? e.GetType().Name;
    }
}
