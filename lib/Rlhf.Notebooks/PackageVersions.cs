using System.Reflection;

namespace Rlhf.Notebooks;

/// <summary>
/// The NuGet package versions the solution is built with (<c>Directory.Packages.props</c>, recorded into this assembly by
/// its project file), so the notebooks' <c>#r "nuget: Id, Version"</c> lines can be checked against the build.
/// </summary>
public static class PackageVersions
{
    static readonly Dictionary<string, string> built = typeof(PackageVersions).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Where(a => a.Key.StartsWith("nuget:", StringComparison.Ordinal) && a.Value is not null)
        .ToDictionary(a => a.Key["nuget:".Length..], a => a.Value!, StringComparer.OrdinalIgnoreCase);

    /// <summary>The version of package <paramref name="id"/> in <c>Directory.Packages.props</c>.</summary>
    /// <exception cref="InvalidOperationException">The solution does not use that package.</exception>
    public static string Of(string id) =>
        built.TryGetValue(id, out var version) ? version : throw new InvalidOperationException($"Directory.Packages.props has no version for {id}");
}
