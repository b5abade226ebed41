using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Rlhf.Checkpoints;

/// <summary>
/// The header of a safetensors file: an 8-byte little-endian length N, then N bytes of JSON
/// <c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, ..., "__metadata__": {string: string}}</c>,
/// then the raw little-endian data. <see cref="Read(string)"/> checks everything the header promises against the
/// file before a single tensor is read, so a lying header is reported rather than believed.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>The key under which the header keeps free-form string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Headers larger than this are refused (the reference implementation's limit is 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    SafetensorsHeader(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata, long dataStart)
    {
        Entries = entries;
        Metadata = metadata;
        DataStart = dataStart;
    }

    /// <summary>The tensors in the order their data lies in the file.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Byte position in the file where the data section begins (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>The entry named <paramref name="name"/>, or null.</summary>
    public SafetensorsEntry? Find(string name) => Entries.FirstOrDefault(e => e.Name == name);

    /// <summary>Reads and validates the header of <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointFormatException">The file is truncated, the header is not valid JSON, a dtype is
    /// unknown, or the offsets overlap, leave gaps, disagree with shape and dtype, or run past the file.</exception>
    public static SafetensorsHeader Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(path, stream);
    }

    /// <summary>Reads and validates the header from an open stream positioned at the start of the file.</summary>
    /// <param name="path">The file's path, used in error messages.</param>
    /// <param name="stream">A readable, seekable stream over the whole file.</param>
    public static SafetensorsHeader Read(string path, Stream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new CheckpointFormatException(path, null, $"truncated file: {fileLength} bytes, too short for the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw new CheckpointFormatException(path, null,
                $"header length {headerLength} is larger than the file ({fileLength} bytes): the file is truncated or not safetensors");
        if (headerLength > MaxHeaderBytes)
            throw new CheckpointFormatException(path, null, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");

        var json = new byte[headerLength];
        stream.ReadExactly(json);
        long dataStart = 8 + (long)headerLength;
        var (entries, metadata) = Parse(path, json);
        CheckOffsets(path, entries, fileLength - dataStart);
        return new SafetensorsHeader(entries, metadata, dataStart);
    }

    static (List<SafetensorsEntry>, Dictionary<string, string>) Parse(string path, byte[] json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, null, $"header is not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(path, null, "header JSON is not an object");
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new CheckpointFormatException(path, property.Name, "appears twice in the header");
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new CheckpointFormatException(path, null, $"{MetadataKey} is not an object of strings");
                    foreach (var item in property.Value.EnumerateObject())
                        metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String
                            ? item.Value.GetString()!
                            : throw new CheckpointFormatException(path, null, $"{MetadataKey}.{item.Name} is not a string");
                    continue;
                }
                entries.Add(ParseEntry(path, property));
            }
            return (entries, metadata);
        }
    }

    static SafetensorsEntry ParseEntry(string path, JsonProperty property)
    {
        var name = property.Name;
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, name, "header entry is not an object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new CheckpointFormatException(path, name, "header entry has no string 'dtype'");
        var dtype = dtypeElement.GetString()!;
        if (!SafetensorsDtype.IsKnown(dtype))
            throw new CheckpointFormatException(path, name, $"unknown dtype '{dtype}'");
        var shape = ReadIntegers(path, name, value, "shape");
        if (shape.Any(size => size < 0))
            throw new CheckpointFormatException(path, name, "shape has a negative size");
        var offsets = ReadIntegers(path, name, value, "data_offsets");
        if (offsets.Length != 2)
            throw new CheckpointFormatException(path, name, $"data_offsets has {offsets.Length} numbers, expected [begin, end]");
        if (offsets[0] < 0 || offsets[1] < offsets[0])
            throw new CheckpointFormatException(path, name, $"data_offsets [{offsets[0]}, {offsets[1]}] are not an increasing pair of byte positions");
        var entry = new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
        if (entry.End - entry.Begin != entry.ByteCount)
            throw new CheckpointFormatException(path, name,
                $"data_offsets [{entry.Begin}, {entry.End}] span {entry.End - entry.Begin} bytes but shape {entry.ShapeText} of {dtype} needs {entry.ByteCount}");
        return entry;
    }

    static long[] ReadIntegers(string path, string name, JsonElement entry, string field)
    {
        if (!entry.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new CheckpointFormatException(path, name, $"header entry has no array '{field}'");
        return array.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.Number && item.TryGetInt64(out var number)
                ? number
                : throw new CheckpointFormatException(path, name, $"'{field}' holds {item}, not a whole number"))
            .ToArray();
    }

    // The data section must be tiled exactly: sorted by begin, each tensor starts where the previous ended,
    // the first at 0 and the last at the end of the file (the rule the reference implementation enforces).
    static void CheckOffsets(string path, List<SafetensorsEntry> entries, long dataLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expectedBegin = 0;
        SafetensorsEntry? previous = null;
        foreach (var entry in entries)
        {
            if (entry.Begin < expectedBegin)
                throw new CheckpointFormatException(path, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}]");
            if (entry.Begin > expectedBegin)
                throw new CheckpointFormatException(path, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] leave bytes {expectedBegin}..{entry.Begin} of the data section uncovered");
            if (entry.End > dataLength)
                throw new CheckpointFormatException(path, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] run past the end of the data ({dataLength} bytes): the file is truncated");
            expectedBegin = entry.End;
            previous = entry;
        }
        if (expectedBegin != dataLength)
            throw new CheckpointFormatException(path, null,
                $"the header covers {expectedBegin} bytes of data but the file holds {dataLength}: trailing bytes not described by any tensor");
    }

    /// <summary>
    /// Serialises a header for <paramref name="entries"/> (in the given order) and <paramref name="metadata"/>,
    /// padded with spaces so the data section starts at a multiple of 8 bytes, as the reference writer does.
    /// Returns the JSON bytes (without the 8-byte length).
    /// </summary>
    public static byte[] Serialize(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, text) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                    writer.WriteString(key, text);
                writer.WriteEndObject();
            }
            foreach (var entry in entries)
            {
                writer.WriteStartObject(entry.Name);
                writer.WriteString("dtype", entry.Dtype);
                writer.WriteStartArray("shape");
                foreach (var size in entry.Shape) writer.WriteNumberValue(size);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(entry.Begin);
                writer.WriteNumberValue(entry.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        var json = buffer.ToArray();
        int padding = (8 - json.Length % 8) % 8;
        return [.. json, .. Encoding.ASCII.GetBytes(new string(' ', padding))];
    }
}
