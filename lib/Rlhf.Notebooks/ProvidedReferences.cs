using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Rlhf.Notebooks;

/// <summary>A NuGet package the runner itself carries, with the version it was built against.</summary>
/// <param name="Id">The package id a notebook names in <c>#r "nuget: Id, Version"</c>.</param>
/// <param name="Version">The version the runner was built with (from <c>Directory.Packages.props</c>).</param>
sealed record ProvidedPackage(string Id, string Version);

/// <summary>
/// Satisfies a notebook's <c>#r</c> directives with the runner's own loaded assemblies, or refuses them.
/// A notebook written for VS Code loads packages with <c>#r "nuget: Id, Version"</c> and the course library
/// with <c>#r "../lib/Rlhf/bin/Debug/net10.0/Rlhf.dll"</c>; the runner never downloads anything, so it
/// accepts exactly the packages it was built with (same id, compatible version) and the course library's
/// own DLL path (which must exist, as it must for VS Code; the runner still uses its own loaded copy), and fails
/// the cell, naming the directive, for anything else.
/// </summary>
/// <remarks>
/// Compatible version: the same major version (for 0.x packages, the same minor version, since 0.x minor
/// releases break APIs), no higher than the runner's. A directive without a version gets the runner's version.
/// </remarks>
static class ProvidedReferences
{
    /// <summary>Package id -> (the id whose recorded version applies, an assembly of the package).</summary>
    static readonly Dictionary<string, (string VersionOf, Func<Assembly> Anchor)> packages = new(StringComparer.OrdinalIgnoreCase)
    {
        // The TorchSharp native bundles all carry the same managed TorchSharp.dll: the runner's copy (with
        // whichever native backend it was built against) stands in for any of them.
        ["TorchSharp"] = ("TorchSharp", () => typeof(TorchSharp.torch).Assembly),
        ["TorchSharp-cpu"] = ("TorchSharp", () => typeof(TorchSharp.torch).Assembly),
        ["TorchSharp-cuda-linux"] = ("TorchSharp", () => typeof(TorchSharp.torch).Assembly),
        ["TorchSharp-cuda-windows"] = ("TorchSharp", () => typeof(TorchSharp.torch).Assembly),
        ["Microsoft.ML.Tokenizers"] = ("Microsoft.ML.Tokenizers", () => typeof(Microsoft.ML.Tokenizers.Tokenizer).Assembly),
    };

    /// <summary>The versions this assembly was built with, recorded from Directory.Packages.props by the project file.</summary>
    static readonly Dictionary<string, string> builtVersions = typeof(ProvidedReferences).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Where(a => a.Key.StartsWith("nuget:") && a.Value is not null)
        .ToDictionary(a => a.Key["nuget:".Length..], a => a.Value!, StringComparer.OrdinalIgnoreCase);

    /// <summary>The course library's DLL as notebooks reference it: …/lib/Rlhf/bin/&lt;configuration&gt;/&lt;framework&gt;/Rlhf.dll.</summary>
    static readonly Regex libraryPath = new(@"(^|/)lib/Rlhf/bin/[^/]+/net[0-9.]+/Rlhf\.dll$", RegexOptions.CultureInvariant);

    static readonly HashSet<string> frameworkAssemblies = FrameworkAssemblyPaths()
        .Select(p => Path.GetFileNameWithoutExtension(p)).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every package a notebook may name, with the version the runner provides.</summary>
    public static IReadOnlyList<ProvidedPackage> Packages { get; } = packages
        .Where(p => builtVersions.ContainsKey(p.Value.VersionOf))
        .Select(p => new ProvidedPackage(p.Key, builtVersions[p.Value.VersionOf]))
        .ToList();

    /// <summary>The version the runner provides of <paramref name="id"/>, or null when it does not provide it.</summary>
    public static string? VersionOf(string id) =>
        packages.TryGetValue(id, out var entry) && builtVersions.TryGetValue(entry.VersionOf, out var version) ? version : null;

    /// <summary>The shared framework's assemblies (what every cell can use without <c>#r</c>).</summary>
    public static IEnumerable<string> FrameworkAssemblyPaths()
    {
        var runtimeDirectory = Path.TrimEndingDirectorySeparator(RuntimeEnvironment.GetRuntimeDirectory());
        return ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => string.Equals(Path.GetDirectoryName(p), runtimeDirectory, StringComparison.Ordinal));
    }

    /// <summary>The assemblies that satisfy <paramref name="directive"/> (the package's or library's assembly and
    /// its non-framework dependencies); throws <see cref="DirectiveException"/> when the runner cannot satisfy it.</summary>
    /// <param name="directive">The <c>#r</c> line.</param>
    /// <param name="notebookFolder">Relative DLL paths are resolved against the notebook's folder, as the kernel does.</param>
    public static IReadOnlyList<Assembly> Resolve(ReferenceDirective directive, string notebookFolder)
    {
        var argument = directive.Argument;
        if (argument.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
            return WithDependencies(ResolvePackage(directive, argument["nuget:".Length..]));

        var fullPath = Path.GetFullPath(argument, notebookFolder);
        if (libraryPath.IsMatch(fullPath.Replace('\\', '/')))
        {
            // The runner uses its own copy, but the file must be there: the same line in VS Code would fail otherwise.
            if (!File.Exists(fullPath))
                throw new DirectiveException(directive.Line, directive.Text,
                    $"{fullPath} does not exist; build the library first (dotnet build RlhfNotebooks.sln), as VS Code needs it too");
            return WithDependencies(typeof(Rlhf.Torch.TorchRuntime).Assembly);
        }
        throw new DirectiveException(directive.Line, directive.Text,
            "the runner loads only the course library (…/lib/Rlhf/bin/<configuration>/net10.0/Rlhf.dll) and the NuGet packages it provides " +
            $"({ProvidedList()}); put the code in lib/Rlhf instead of referencing another assembly");
    }

    static Assembly ResolvePackage(ReferenceDirective directive, string package)
    {
        var parts = package.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2 || parts[0].Length == 0)
            throw new DirectiveException(directive.Line, directive.Text, "expected #r \"nuget: Id, Version\"");
        var id = parts[0];
        var requested = parts.Length == 2 ? parts[1] : "";
        if (!packages.TryGetValue(id, out var entry) || VersionOf(id) is not { } provided)
            throw new DirectiveException(directive.Line, directive.Text,
                $"the runner does not provide the package '{id}' and never downloads packages; it provides {ProvidedList()}");
        if (requested.Length > 0 && !IsCompatible(requested, provided))
            throw new DirectiveException(directive.Line, directive.Text,
                $"the runner provides {id} {provided}, which is not compatible with the requested version {requested} " +
                "(compatible: same major version, same minor for 0.x, and not older than requested)");
        return entry.Anchor();
    }

    /// <summary>True when a package at <paramref name="provided"/> can stand in for a request of <paramref name="requested"/>.</summary>
    public static bool IsCompatible(string requested, string provided)
    {
        if (requested == provided) return true;
        if (!Version.TryParse(requested, out var want) || !Version.TryParse(provided, out var have)) return false; // ranges, wildcards, prereleases
        if (want.Major != have.Major) return false;
        if (want.Major == 0 && want.Minor != have.Minor) return false;
        return have >= want;
    }

    static string ProvidedList() => string.Join(", ", Packages.Select(p => $"{p.Id} {p.Version}"));

    /// <summary>The assembly and everything it references outside the shared framework that this process can load:
    /// what a NuGet reference gives a kernel (a package and its dependencies).</summary>
    static IReadOnlyList<Assembly> WithDependencies(Assembly root)
    {
        var found = new List<Assembly>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Queue<Assembly>([root]);
        seen.Add(root.GetName().Name!);
        while (pending.TryDequeue(out var assembly))
        {
            if (!assembly.IsDynamic && assembly.Location.Length > 0) found.Add(assembly);
            foreach (var name in assembly.GetReferencedAssemblies())
            {
                if (name.Name is null || frameworkAssemblies.Contains(name.Name) || !seen.Add(name.Name)) continue;
                try
                {
                    pending.Enqueue(Assembly.Load(name));
                }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // An optional dependency this process does not ship: code that needs it fails to compile with CS0012 naming it.
                }
            }
        }
        return found;
    }
}
