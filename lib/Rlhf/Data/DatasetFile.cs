using System.Text;
using System.Text.Json;

namespace Rlhf.Data;

/// <summary>The formats a dataset file can be read in (<c>--set format=...</c>; <see cref="Auto"/> tells them apart by content).</summary>
public enum DatasetFormat
{
    /// <summary>Detect from the content: parquet by its magic bytes, jsonl by the fields of its first record.</summary>
    Auto,

    /// <summary>The seed's SFT jsonl: <c>{"prompt","response"}</c>.</summary>
    Sft,

    /// <summary>The seed's pairwise jsonl: <c>{"prompt","chosen","rejected"}</c>.</summary>
    Pairwise,

    /// <summary>The seed's ranked jsonl: <c>{"prompt","responses":[{"text","rank"}]}</c>; every two ranks give a pair.</summary>
    Ranked,

    /// <summary>Anthropic HH-RLHF jsonl: <c>{"chosen","rejected"}</c> whole transcripts.</summary>
    HhRlhf,

    /// <summary>Chat messages jsonl: <c>{"messages":[...]}</c> (SFT) or <c>{"chosen":[...],"rejected":[...]}</c> (preferences).</summary>
    ChatMessages,

    /// <summary>Parquet with <c>prompt, response</c> (SFT) or <c>prompt, chosen, rejected</c> (preferences) string columns.</summary>
    Parquet,
}

/// <summary>
/// Reads any supported dataset file into what a stage needs: SFT examples for SFT, preference pairs for the reward model
/// and DPO. Every stage calls this, so each format works everywhere it makes sense, with the same load report.
/// </summary>
public static class DatasetFile
{
    /// <summary>The format of <paramref name="path"/>: parquet by its magic bytes, jsonl by the fields of its first record.</summary>
    /// <exception cref="DatasetFormatException">The first record is not an object or its fields match no format (names file and line).</exception>
    public static DatasetFormat Detect(string path) => Detect(path, strict: true)!.Value;

    /// <summary>The detected format, or (when not <paramref name="strict"/>) null for a file with no record or one whose first
    /// record matches no format: the stage's own format then reads it and names the missing field.</summary>
    static DatasetFormat? Detect(string path, bool strict)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset file not found: {path}", path);
        if (StartsWith(path, "PAR1"u8)) return DatasetFormat.Parquet;
        foreach (var (number, line) in Utf8Lines.Read(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonElement record;
            try
            {
                using var document = JsonDocument.Parse(line);
                record = document.RootElement.Clone();
            }
            catch (JsonException e) when (strict)
            {
                throw new DatasetFormatException(path, number, null, $"not valid JSON ({e.Message})", inner: e);
            }
            catch (JsonException)
            {
                return null;
            }
            if (record.ValueKind != JsonValueKind.Object)
                return strict ? throw new DatasetFormatException(path, number, null, $"expected a JSON object, found {JsonlRecords.Describe(record.ValueKind)}") : null;
            bool Has(string field) => record.TryGetProperty(field, out _);
            if (Has("messages")) return DatasetFormat.ChatMessages;
            if (Has("chosen") && Has("rejected"))
                return Has("prompt") ? DatasetFormat.Pairwise
                    : record.GetProperty("chosen").ValueKind == JsonValueKind.Array ? DatasetFormat.ChatMessages : DatasetFormat.HhRlhf;
            if (Has("prompt") && Has("responses")) return DatasetFormat.Ranked;
            if (Has("prompt") && Has("response")) return DatasetFormat.Sft;
            if (!strict) return null;
            var fields = string.Join(", ", record.EnumerateObject().Select(p => p.Name));
            throw new DatasetFormatException(path, number, null,
                $"cannot tell the format from the fields ({fields}): expected prompt+response (sft), prompt+chosen+rejected (pairwise), " +
                "prompt+responses (ranked), chosen+rejected transcripts (hh_rlhf) or messages (chat_messages); or set format");
        }
        return strict ? throw new DatasetFormatException(path, null, null, "holds no records") : null;
    }

    /// <summary>SFT examples from a file in <paramref name="format"/> (detected when <see cref="DatasetFormat.Auto"/>).</summary>
    public static Loaded<SftExample> LoadSft(string path, DatasetFormat format = DatasetFormat.Auto)
    {
        format = format == DatasetFormat.Auto ? Detect(path, strict: false) ?? DatasetFormat.Sft : format;
        return format switch
        {
            DatasetFormat.Sft => SeedFormats.LoadSft(path),
            DatasetFormat.ChatMessages => ChatMessagesFormat.LoadSft(path),
            DatasetFormat.Parquet => ParquetFormat.LoadSftAsync(path).GetAwaiter().GetResult(),
            _ => throw new DatasetFormatException(path, null, null,
                $"is {Name(format)}, which holds preferences; SFT needs examples: sft jsonl (prompt, response), chat messages jsonl (messages) or parquet (prompt, response)"),
        };
    }

    /// <summary>Preference pairs from a file in <paramref name="format"/> (detected when <see cref="DatasetFormat.Auto"/>); a ranked
    /// file gives every pair of different rank, and the report says how many tied pairs it left out.</summary>
    public static Loaded<PreferencePair> LoadPairs(string path, DatasetFormat format = DatasetFormat.Auto)
    {
        format = format == DatasetFormat.Auto ? Detect(path, strict: false) ?? DatasetFormat.Pairwise : format;
        switch (format)
        {
            case DatasetFormat.Pairwise: return SeedFormats.LoadPairwise(path);
            case DatasetFormat.HhRlhf: return HhRlhfFormat.Load(path);
            case DatasetFormat.ChatMessages: return ChatMessagesFormat.LoadPairwise(path);
            case DatasetFormat.Parquet: return ParquetFormat.LoadPairwiseAsync(path).GetAwaiter().GetResult();
            case DatasetFormat.Ranked:
                var ranked = SeedFormats.LoadRanked(path);
                var pairs = RankedPairs.ToPairs(ranked.Records);
                return new(pairs.Pairs, ranked.Report with
                {
                    Format = $"ranked jsonl ({ranked.Records.Count:N0} rankings -> all pairs)", Records = pairs.Pairs.Count,
                    LeftOut = pairs.TiedPairs > 0 ? $"{pairs.TiedPairs} pairs of equal rank left out (they prefer neither)" : null,
                });
            default:
                throw new DatasetFormatException(path, null, null,
                    $"is {Name(format)}, which holds demonstrations; this stage needs preference pairs: pairwise or ranked jsonl, HH-RLHF jsonl, chat messages jsonl (chosen, rejected) or parquet (prompt, chosen, rejected)");
        }
    }

    /// <summary>Where a stage's <c>train_file</c> or <c>eval_file</c> is: a bare file name (<c>sft.jsonl</c>) inside the data folder,
    /// a path with a folder in it (<c>data/samples/sft.parquet</c>, <c>/abs/pairs.jsonl</c>) as given, from the current directory.</summary>
    public static string Resolve(string dataFolder, string file) =>
        Path.IsPathRooted(file) || file.Contains('/') || file.Contains(Path.DirectorySeparatorChar) ? file : Path.Combine(dataFolder, file);

    /// <summary>The JSON name of a format (<c>hh_rlhf</c>), as <c>--set format=</c> takes it.</summary>
    public static string Name(DatasetFormat format) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(format.ToString());

    static bool StartsWith(string path, ReadOnlySpan<byte> magic)
    {
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[magic.Length];
        return stream.ReadAtLeast(head, magic.Length, throwOnEndOfStream: false) == magic.Length && head.SequenceEqual(magic);
    }
}
