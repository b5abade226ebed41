using System.Text;

namespace Rlhf.Data;

/// <summary>
/// The lines of a UTF-8 text file, numbered from 1, refusing bytes that are not UTF-8: a decoder that substitutes U+FFFD would
/// silently train on garbled text (Hugging Face <c>datasets</c> raises too). A byte-order mark at the start is allowed; line
/// ends are <c>\n</c> or <c>\r\n</c>.
/// </summary>
public static class Utf8Lines
{
    static readonly UTF8Encoding strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>(line number, line) for every line of <paramref name="path"/>. Each line is decoded on its own, so an error
    /// names the exact line.</summary>
    /// <exception cref="DatasetFormatException">Invalid UTF-8, naming the file and the line it is on.</exception>
    public static IEnumerable<(int Number, string Line)> Read(string path)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 16);
        var line = new MemoryStream();
        int number = 0, next;
        do
        {
            next = stream.ReadByte();
            if (next >= 0 && next != '\n')
            {
                line.WriteByte((byte)next);
                continue;
            }
            if (next < 0 && line.Length == 0) yield break; // no text after the last line end
            number++;
            yield return (number, Decode(line, path, number));
            line.SetLength(0);
        }
        while (next >= 0);
    }

    static string Decode(MemoryStream bytes, string path, int number)
    {
        var span = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
        int skipped = 0;
        if (number == 1 && span.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
        {
            span = span[3..];
            skipped = 3;
        }
        if (span.Length > 0 && span[^1] == '\r') span = span[..^1];
        try
        {
            return strict.GetString(span);
        }
        catch (DecoderFallbackException e)
        {
            throw new DatasetFormatException(path, number, null,
                $"holds bytes that are not valid UTF-8 (at byte {e.Index + skipped + 1} of the line); save the file as UTF-8", inner: e);
        }
    }
}
