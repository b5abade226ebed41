using System.Buffers.Binary;

namespace Rlhf.Torch;

/// <summary>One version-need entry that a patch renamed.</summary>
/// <param name="Library">The library the version belongs to (<c>libstdc++.so.6</c>).</param>
/// <param name="From">The version the file asked for and the system lacks.</param>
/// <param name="To">The version it asks for after the patch (one the file already needs and the system has).</param>
/// <param name="Symbols">The dynamic symbols bound to that entry (all known to be unreferenced markers).</param>
public sealed record VersionRewrite(string Library, string From, string To, IReadOnlyList<string> Symbols);

/// <summary>
/// Makes a copy of a shared library loadable against an older libstdc++ when the only thing tying it to a
/// newer one is a marker symbol that nothing relocates against.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> is built with GCC 13 and so needs <c>GLIBCXX_3.4.32</c>,
/// but the only symbol bound to that version is <c>_ZSt21ios_base_library_initv</c>: GCC 13 emits an
/// undefined reference to it in every object that includes &lt;iostream&gt; to force the library's
/// stream initialiser to be linked, and no relocation ever uses it. glibc's loader refuses the file
/// anyway, because it checks every version-need entry at load time. Renaming that one entry
/// (its <c>vna_hash</c> and <c>vna_name</c>) to a version the file already needs from the same library
/// is enough; the symbol is never looked up, so its version is never checked.
/// </remarks>
public static class VersionNeedPatcher
{
    /// <summary>Symbols known to be link-time markers that no relocation references.</summary>
    public static readonly IReadOnlySet<string> MarkerSymbols = new HashSet<string> { "_ZSt21ios_base_library_initv" };

    /// <summary>
    /// Returns a patched copy of <paramref name="image"/> in which every version that
    /// <paramref name="library"/> needs but <paramref name="available"/> lacks is renamed to the highest
    /// available version of the same family (GLIBCXX, CXXABI) that the file already needs.
    /// Throws when a missing version binds a real symbol (the copy would not work) or no target exists.
    /// </summary>
    public static (byte[] Patched, IReadOnlyList<VersionRewrite> Rewrites) Retarget(
        ElfImage image, string fileName, string library, IReadOnlySet<string> available, IReadOnlySet<string> markerSymbols)
    {
        var needs = image.VersionNeeds().Where(n => n.Library == library).ToList();
        var patched = image.ToArray();
        var rewrites = new List<VersionRewrite>();
        foreach (var missing in needs.Where(n => !available.Contains(n.Version)))
        {
            var symbols = image.SymbolsBoundTo(missing.Index);
            var real = symbols.Where(s => !markerSymbols.Contains(s)).ToList();
            if (real.Count > 0)
                throw new NotSupportedException(
                    $"'{fileName}' needs {missing.Version} from {library} for {string.Join(", ", real.Take(5))}, which this system's " +
                    $"{library} does not provide; only a newer libstdc++ (GCC {GccFor(missing.Version)} or later) can run it.");
            var target = needs
                .Where(n => available.Contains(n.Version) && Family(n.Version) == Family(missing.Version))
                .OrderByDescending(n => n.Version, VersionComparer.Instance)
                .FirstOrDefault()
                ?? throw new NotSupportedException(
                    $"'{fileName}' needs {missing.Version} from {library} and no other available {Family(missing.Version)} version to rename it to.");
            BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(missing.AuxOffset), ElfImage.ElfHash(target.Version));
            BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(missing.AuxOffset + 8), target.NameOffset);
            rewrites.Add(new VersionRewrite(library, missing.Version, target.Version, symbols));
        }
        return (patched, rewrites);
    }

    static string Family(string version) => version.Split('_')[0];

    static string GccFor(string version) => version switch
    {
        "GLIBCXX_3.4.31" => "13.1",
        "GLIBCXX_3.4.32" => "13.2",
        "GLIBCXX_3.4.33" => "14",
        _ => "a newer",
    };

    /// <summary>Orders <c>GLIBCXX_3.4.9</c> before <c>GLIBCXX_3.4.30</c> (numeric, not lexical).</summary>
    public sealed class VersionComparer : IComparer<string>
    {
        /// <summary>The shared instance.</summary>
        public static readonly VersionComparer Instance = new();

        /// <inheritdoc />
        public int Compare(string? x, string? y)
        {
            var a = Numbers(x);
            var b = Numbers(y);
            for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
            {
                int c = (i < a.Length ? a[i] : 0).CompareTo(i < b.Length ? b[i] : 0);
                if (c != 0) return c;
            }
            return 0;
        }

        static int[] Numbers(string? version) =>
            (version ?? "").Split('_').LastOrDefault()?.Split('.').Select(p => int.TryParse(p, out var n) ? n : 0).ToArray() ?? [];
    }
}
