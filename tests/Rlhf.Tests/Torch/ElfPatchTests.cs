using Rlhf.Torch;

namespace Rlhf.Tests.Torch;

/// <summary>The libstdc++ compatibility patch, on the real libLibTorchSharp.so that ships with TorchSharp.</summary>
public class ElfPatchTests
{
    const string LibStdCxx = "libstdc++.so.6";
    static readonly string Original = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    static ElfImage Image() => ElfImage.Load(Original);

    [Fact]
    public void ElfHash_matches_hand_computed_values()
    {
        // h = (h << 4) + c, folding the top nibble back in: for "a" (0x61) h = 0x61; for "ab" h = 0x610 + 0x62 = 0x672.
        Assert.Equal(0x61u, ElfImage.ElfHash("a"));
        Assert.Equal(0x672u, ElfImage.ElfHash("ab"));
        // A long name exercises the fold (value checked against readelf/binutils' hash of the same string).
        Assert.Equal(0x0297f840u, ElfImage.ElfHash("GLIBCXX_3.4.30"));
    }

    [Fact]
    public void Every_stored_version_hash_equals_the_hash_of_its_name()
    {
        var needs = Image().VersionNeeds();
        Assert.True(needs.Count > 10);
        Assert.All(needs, n => Assert.Equal(ElfImage.ElfHash(n.Version), n.Hash));
    }

    [Fact]
    public void TorchSharp_needs_GLIBCXX_3_4_32_only_for_the_iostream_marker()
    {
        var image = Image();
        var need = Assert.Single(image.VersionNeeds(), n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal(LibStdCxx, need.Library);
        Assert.Equal(["_ZSt21ios_base_library_initv"], image.SymbolsBoundTo(need.Index));
        Assert.Contains("libtorch_cpu.so", image.NeededLibraries);
    }

    [Fact]
    public void Retarget_rewrites_only_the_hash_and_name_of_the_missing_version()
    {
        var image = Image();
        var original = image.ToArray();
        var available = image.VersionNeeds().Select(n => n.Version).Where(v => v != "GLIBCXX_3.4.32").ToHashSet();

        var (patched, rewrites) = VersionNeedPatcher.Retarget(image, Original, LibStdCxx, available, VersionNeedPatcher.MarkerSymbols);

        var rewrite = Assert.Single(rewrites);
        Assert.Equal(("GLIBCXX_3.4.32", "GLIBCXX_3.4.30"), (rewrite.From, rewrite.To));
        var entry = image.VersionNeeds().Single(n => n.Version == "GLIBCXX_3.4.32");
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Equal(original.Length, patched.Length);
        Assert.NotEmpty(changed);
        Assert.All(changed, i => Assert.True(
            (i >= entry.AuxOffset && i < entry.AuxOffset + 4) || (i >= entry.AuxOffset + 8 && i < entry.AuxOffset + 12),
            $"byte {i} changed outside vna_hash/vna_name of the rewritten entry"));

        var after = new ElfImage(patched, "patched").VersionNeeds();
        var rewritten = Assert.Single(after, n => n.AuxOffset == entry.AuxOffset);
        Assert.Equal("GLIBCXX_3.4.30", rewritten.Version);
        Assert.Equal(ElfImage.ElfHash("GLIBCXX_3.4.30"), rewritten.Hash);
        Assert.Equal(entry.Index, rewritten.Index); // the symbol stays bound to the same (renamed) entry
        Assert.DoesNotContain(after, n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal(image.VersionNeeds().Where(n => n.AuxOffset != entry.AuxOffset), after.Where(n => n.AuxOffset != entry.AuxOffset));
        Assert.Equal(image.NeededLibraries, new ElfImage(patched, "patched").NeededLibraries);
    }

    [Fact]
    public void Retarget_is_a_no_op_when_every_version_is_available()
    {
        var image = Image();
        var available = image.VersionNeeds().Select(n => n.Version).ToHashSet();
        var (patched, rewrites) = VersionNeedPatcher.Retarget(image, Original, LibStdCxx, available, VersionNeedPatcher.MarkerSymbols);
        Assert.Empty(rewrites);
        Assert.Equal(image.ToArray(), patched);
    }

    [Fact]
    public void Retarget_refuses_when_a_real_symbol_needs_the_missing_version()
    {
        var image = Image();
        var available = image.VersionNeeds().Select(n => n.Version).Where(v => v != "GLIBCXX_3.4.32").ToHashSet();
        var error = Assert.Throws<NotSupportedException>(() =>
            VersionNeedPatcher.Retarget(image, Original, LibStdCxx, available, new HashSet<string>()));
        Assert.Contains("_ZSt21ios_base_library_initv", error.Message);
        Assert.Contains("GLIBCXX_3.4.32", error.Message);
    }

    [Fact]
    public void Version_order_is_numeric()
    {
        var c = VersionNeedPatcher.VersionComparer.Instance;
        Assert.True(c.Compare("GLIBCXX_3.4.30", "GLIBCXX_3.4.9") > 0);
        Assert.True(c.Compare("2.10.0", "2.9.1") > 0);
        Assert.Equal(0, c.Compare("CXXABI_1.3", "CXXABI_1.3.0"));
    }

    [Fact]
    public void Bad_files_get_errors_naming_the_file_and_the_problem()
    {
        var notElf = Assert.Throws<InvalidDataException>(() => new ElfImage(new byte[100], "empty.so"));
        Assert.Contains("empty.so", notElf.Message);
        Assert.Contains("not an ELF file", notElf.Message);

        var truncated = File.ReadAllBytes(Original)[..4096];
        var lies = Assert.Throws<InvalidDataException>(() => new ElfImage(truncated, "truncated.so"));
        Assert.Contains("truncated.so", lies.Message);
        Assert.Contains("outside the file", lies.Message);
    }
}
