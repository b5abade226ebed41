using System.Buffers.Binary;
using System.Text;

namespace Rlhf.Torch;

/// <summary>One entry of an ELF file's version-needs table (<c>.gnu.version_r</c>):
/// "this file needs version <see cref="Version"/> of library <see cref="Library"/>".</summary>
/// <param name="Library">The needed library's file name, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Index">The version index that <c>.gnu.version</c> uses to bind symbols to this entry.</param>
/// <param name="AuxOffset">File offset of the <c>Elf64_Vernaux</c> record (what a patch rewrites).</param>
/// <param name="NameOffset">Offset of the name in the dynamic string table.</param>
/// <param name="Hash">The stored <c>vna_hash</c> (the ELF hash of the name in a well-formed file).</param>
public sealed record VersionNeed(string Library, string Version, ushort Index, int AuxOffset, uint NameOffset, uint Hash);

/// <summary>
/// A read-only view of the dynamic-linking tables of a 64-bit little-endian ELF shared library:
/// needed libraries, version needs and definitions, and which dynamic symbols are bound to which version.
/// Just enough of the ELF format (System V gABI, "Symbol Versioning" in the LSB) to reason about
/// <c>GLIBCXX_*</c> requirements; every offset read is bounds-checked and a bad file gets an error naming it.
/// </summary>
public sealed class ElfImage
{
    const uint SectionDynamic = 6, SectionDynamicSymbols = 11;
    const uint SectionVersionDefinitions = 0x6ffffffd, SectionVersionNeeds = 0x6ffffffe, SectionVersionSymbols = 0x6fffffff;
    const long TagNeeded = 1, TagRunPath = 29;

    readonly byte[] bytes;
    readonly string name;
    readonly List<Section> sections = [];

    readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info);

    /// <summary>Parses <paramref name="elf"/>; <paramref name="fileName"/> is only used in error messages.</summary>
    public ElfImage(byte[] elf, string fileName)
    {
        bytes = elf;
        name = fileName;
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw Bad("not an ELF file (missing \\x7fELF magic)");
        if (elf[4] != 2 || elf[5] != 1)
            throw Bad($"only 64-bit little-endian ELF is supported (class {elf[4]}, data {elf[5]})");
        long tableOffset = (long)U64(0x28);
        int entrySize = U16(0x3A), count = U16(0x3C);
        if (entrySize < 64) throw Bad($"section header size {entrySize} is smaller than an Elf64_Shdr");
        for (int i = 0; i < count; i++)
        {
            int at = Checked(tableOffset + (long)i * entrySize, 64, $"section header {i}");
            var section = new Section(U32(at + 4), (long)U64(at + 24), (long)U64(at + 32), U32(at + 40), U32(at + 44));
            if (section.Type != 8 /* SHT_NOBITS */) Checked(section.Offset, section.Size, $"section {i}'s contents");
            sections.Add(section);
        }
    }

    /// <summary>Reads and parses the file at <paramref name="path"/>.</summary>
    public static ElfImage Load(string path) => new(File.ReadAllBytes(path), path);

    /// <summary>A copy of the raw bytes (for writing a patched copy).</summary>
    public byte[] ToArray() => (byte[])bytes.Clone();

    /// <summary>The <c>DT_NEEDED</c> libraries, in file order.</summary>
    public IReadOnlyList<string> NeededLibraries => DynamicStrings(TagNeeded);

    /// <summary>The <c>DT_RUNPATH</c> entry, or null.</summary>
    public string? RunPath => DynamicStrings(TagRunPath).FirstOrDefault();

    /// <summary>Every <c>Elf64_Vernaux</c> entry of <c>.gnu.version_r</c>.</summary>
    public IReadOnlyList<VersionNeed> VersionNeeds()
    {
        var result = new List<VersionNeed>();
        if (FindSection(SectionVersionNeeds) is not { } table) return result;
        var strings = sections[(int)table.Link];
        long at = table.Offset;
        for (uint entry = 0; entry < table.Info; entry++)
        {
            int need = Checked(at, 16, "a version-need record");
            ushort auxCount = U16(need + 2);
            string library = String(strings, U32(need + 4));
            long aux = need + U32(need + 8);
            for (int j = 0; j < auxCount; j++)
            {
                int a = Checked(aux, 16, "a version-need auxiliary record");
                uint nameOffset = U32(a + 8);
                result.Add(new VersionNeed(library, String(strings, nameOffset), (ushort)(U16(a + 6) & 0x7fff), a, nameOffset, U32(a)));
                uint nextAux = U32(a + 12);
                if (nextAux == 0) break;
                aux += nextAux;
            }
            uint next = U32(need + 12);
            if (next == 0) break;
            at += next;
        }
        return result;
    }

    /// <summary>The version names this file defines (<c>.gnu.version_d</c>), e.g. all <c>GLIBCXX_*</c> of a libstdc++.</summary>
    public IReadOnlyList<string> VersionDefinitions()
    {
        var result = new List<string>();
        if (FindSection(SectionVersionDefinitions) is not { } table) return result;
        var strings = sections[(int)table.Link];
        long at = table.Offset;
        for (uint entry = 0; entry < table.Info; entry++)
        {
            int def = Checked(at, 20, "a version-definition record");
            if (U16(def + 6) > 0)
                result.Add(String(strings, U32(Checked(def + U32(def + 12), 8, "a version-definition name"))));
            uint next = U32(def + 16);
            if (next == 0) break;
            at += next;
        }
        return result;
    }

    /// <summary>Names of the dynamic symbols whose <c>.gnu.version</c> entry is <paramref name="versionIndex"/>.</summary>
    public IReadOnlyList<string> SymbolsBoundTo(ushort versionIndex)
    {
        var result = new List<string>();
        if (FindSection(SectionDynamicSymbols) is not { } symbols || FindSection(SectionVersionSymbols) is not { } versions)
            return result;
        var strings = sections[(int)symbols.Link];
        long count = symbols.Size / 24;
        for (long i = 0; i < count; i++)
        {
            int version = Checked(versions.Offset + 2 * i, 2, "a symbol version");
            if ((U16(version) & 0x7fff) != versionIndex) continue;
            int symbol = Checked(symbols.Offset + 24 * i, 24, "a dynamic symbol");
            result.Add(String(strings, U32(symbol)));
        }
        return result;
    }

    Section? FindSection(uint type) => sections.Where(s => s.Type == type).Select(s => (Section?)s).FirstOrDefault();

    List<string> DynamicStrings(long tag)
    {
        var result = new List<string>();
        if (FindSection(SectionDynamic) is not { } dynamic) return result;
        var strings = sections[(int)dynamic.Link];
        for (long at = dynamic.Offset; at + 16 <= dynamic.Offset + dynamic.Size; at += 16)
        {
            long entryTag = (long)U64(Checked(at, 16, "a dynamic entry"));
            if (entryTag == 0) break;
            if (entryTag == tag) result.Add(String(strings, (uint)U64((int)at + 8)));
        }
        return result;
    }

    string String(Section table, uint offset)
    {
        int start = Checked(table.Offset + offset, 1, "a string-table entry");
        int end = Array.IndexOf(bytes, (byte)0, start, (int)Math.Min(table.Offset + table.Size, bytes.Length) - start);
        if (end < 0) throw Bad($"string at offset {offset} is not terminated inside its string table");
        return Encoding.UTF8.GetString(bytes, start, end - start);
    }

    int Checked(long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || offset + length > bytes.Length)
            throw Bad($"{what} lies outside the file (offset {offset}, length {length}, file size {bytes.Length})");
        return (int)offset;
    }

    ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(Checked(at, 2, "a field")));
    uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Checked(at, 4, "a field")));
    ulong U64(int at) => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(Checked(at, 8, "a field")));

    InvalidDataException Bad(string message) => new($"ELF file '{name}': {message}");

    /// <summary>The System V ELF hash that <c>vna_hash</c> stores for a version name (gABI, "Hash Table").</summary>
    public static uint ElfHash(string text)
    {
        uint h = 0;
        foreach (byte c in Encoding.UTF8.GetBytes(text))
        {
            h = (h << 4) + c;
            uint high = h & 0xf0000000;
            if (high != 0) h ^= high >> 24;
            h &= ~high;
        }
        return h;
    }
}
