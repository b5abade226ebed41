namespace Rlhf.Notebooks;

/// <summary>
/// Where the kernel comes from: the <c>microsoft.dotnet-interactive</c> tool pinned in the repository's local tool manifest
/// (<c>.config/dotnet-tools.json</c>), restored by the build (<c>dotnet tool restore</c>), run with <c>dotnet tool run</c>.
/// </summary>
public static class KernelTool
{
    /// <summary>The tool's package id in the manifest.</summary>
    public const string PackageId = "microsoft.dotnet-interactive";

    /// <summary>The command the tool installs.</summary>
    public const string Command = "dotnet-interactive";

    /// <summary>The folder whose <c>.config/dotnet-tools.json</c> pins the kernel: the first one above
    /// <paramref name="start"/>, else the first one above this library (a notebook outside the repository still runs in
    /// the repository's pinned kernel).</summary>
    /// <exception cref="KernelException">No manifest pins the tool.</exception>
    public static string ManifestFolder(string start) =>
        FindAbove(start) ?? FindAbove(AppContext.BaseDirectory)
        ?? throw new KernelException($"no .config/dotnet-tools.json pinning {PackageId} above {start} or {AppContext.BaseDirectory}");

    static string? FindAbove(string start)
    {
        for (var folder = new DirectoryInfo(Path.GetFullPath(start)); folder is not null; folder = folder.Parent)
        {
            var manifest = Path.Combine(folder.FullName, ".config", "dotnet-tools.json");
            if (File.Exists(manifest) && File.ReadAllText(manifest).Contains($"\"{PackageId}\"", StringComparison.OrdinalIgnoreCase))
                return folder.FullName;
        }
        return null;
    }
}
