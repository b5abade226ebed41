using System.Text;

namespace Rlhf.Text;

/// <summary>
/// GPT-2's byte-to-unicode table: every one of the 256 byte values gets a visible character, so a
/// byte-level BPE vocabulary can be written as text (<c>vocab.json</c>, <c>merges.txt</c>). Printable
/// bytes map to themselves (<c>a</c> is <c>a</c>); the others (space, control bytes, ...) are moved to
/// U+0100 and up, which is why a space shows as <c>Ġ</c> (U+0120) and a newline as <c>Ċ</c> (U+010A).
/// </summary>
/// <remarks>
/// Token ids 0..255 of GPT-2 (and of every vocabulary our <see cref="BpeTrainer"/> writes) are these
/// symbols in table order: <c>!</c> is id 0, byte 0 (<c>Ā</c>) is id 188, space (<c>Ġ</c>) is id 220.
/// </remarks>
public static class ByteLevelAlphabet
{
    static readonly (char[] Table, byte[] IdOrder) built = Build();
    static readonly char[] byteToSymbol = built.Table;
    static readonly Dictionary<char, byte> symbolToByte =
        Enumerable.Range(0, 256).ToDictionary(b => byteToSymbol[b], b => (byte)b);

    /// <summary>The 256 symbols in GPT-2's id order: <c>Symbols[i]</c> is the token with id <c>i</c>.</summary>
    public static IReadOnlyList<string> Symbols { get; } = built.IdOrder.Select(b => byteToSymbol[b].ToString()).ToArray();

    /// <summary>The visible character standing for one byte.</summary>
    public static char SymbolOf(byte value) => byteToSymbol[value];

    /// <summary>The byte a symbol stands for, or <c>false</c> when the character is not one of the 256 symbols.</summary>
    public static bool TryGetByte(char symbol, out byte value) => symbolToByte.TryGetValue(symbol, out value);

    /// <summary>Text -> its UTF-8 bytes written as symbols (what BPE merges operate on).</summary>
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var symbols = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) symbols[i] = byteToSymbol[bytes[i]];
        return new string(symbols);
    }

    static (char[] Table, byte[] IdOrder) Build()
    {
        // Printable Latin-1 ranges keep their own code point; the 68 remaining bytes are numbered
        // 256, 257, ... in byte order. The id order lists the printable ranges first, then the rest.
        var table = new char[256];
        var ids = new List<byte>(256);
        bool Printable(int b) => b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
        for (int b = 0; b < 256; b++)
            if (Printable(b)) { table[b] = (char)b; ids.Add((byte)b); }
        int next = 256;
        for (int b = 0; b < 256; b++)
            if (!Printable(b)) { table[b] = (char)next++; ids.Add((byte)b); }
        return (table, ids.ToArray());
    }
}
