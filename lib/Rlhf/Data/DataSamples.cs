using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet.Serialization;

namespace Rlhf.Data;

/// <summary>
/// Small samples of every dataset format a stage reads (<see cref="DatasetFile"/>), made from TinyWorld's own files so that
/// nothing is downloaded: the same demonstrations and comparisons written as the seed's jsonl, chat messages, Anthropic
/// HH-RLHF transcripts and parquet. <c>rlhf data --samples DIR</c> writes them; <c>data/samples/</c> ships them.
/// </summary>
public static class DataSamples
{
    /// <summary>The files written, by format: SFT formats first, then preference formats.</summary>
    public static IReadOnlyList<(string File, DatasetFormat Format, bool Preferences)> Files { get; } =
    [
        ("sft.jsonl", DatasetFormat.Sft, false), ("chat_sft.jsonl", DatasetFormat.ChatMessages, false), ("sft.parquet", DatasetFormat.Parquet, false),
        ("pairwise.jsonl", DatasetFormat.Pairwise, true), ("ranked.jsonl", DatasetFormat.Ranked, true), ("hh_rlhf.jsonl", DatasetFormat.HhRlhf, true),
        ("chat_pairs.jsonl", DatasetFormat.ChatMessages, true), ("pairs.parquet", DatasetFormat.Parquet, true),
    ];

    /// <summary>Writes the samples of <see cref="Files"/> into <paramref name="outputFolder"/>: the first <paramref name="count"/>
    /// demonstrations and pairs of the TinyWorld folder <paramref name="tinyWorldFolder"/> (a quarter as many rankings).</summary>
    public static void Write(string tinyWorldFolder, string outputFolder, int count = 32)
    {
        var demonstrations = SeedFormats.LoadSft(Path.Combine(tinyWorldFolder, "sft.jsonl")).Records.Take(count).ToList();
        var pairs = SeedFormats.LoadPairwise(Path.Combine(tinyWorldFolder, "preferences_pairwise.jsonl")).Records.Take(count).ToList();
        var rankedLines = Utf8Lines.Read(Path.Combine(tinyWorldFolder, "preferences_ranked.jsonl")).Select(l => l.Line)
            .Where(l => l.Trim().Length > 0).Take(Math.Max(1, count / 4)).ToList();
        Directory.CreateDirectory(outputFolder);
        string P(string file) => Path.Combine(outputFolder, file);
        static JsonObject Turn(string role, string content) => new() { ["role"] = role, ["content"] = content };

        JsonlRecords.Write(P("sft.jsonl"), demonstrations.Select(d => new { prompt = d.Prompt, response = d.Response }));
        JsonlRecords.Write(P("chat_sft.jsonl"), demonstrations.Select(d => new { messages = new[] { Turn("user", d.Prompt), Turn("assistant", d.Response) } }));
        ParquetSerializer.SerializeAsync(demonstrations.Select(d => new SftRow { prompt = d.Prompt, response = d.Response }), P("sft.parquet")).GetAwaiter().GetResult();

        JsonlRecords.Write(P("pairwise.jsonl"), pairs.Select(p => new { prompt = p.Prompt, chosen = p.Chosen, rejected = p.Rejected }));
        File.WriteAllText(P("ranked.jsonl"), string.Join("\n", rankedLines) + "\n");
        string Transcript(string prompt, string reply) => $"{HhRlhfFormat.HumanMarker} {prompt}{HhRlhfFormat.AssistantMarker} {reply}";
        JsonlRecords.Write(P("hh_rlhf.jsonl"), pairs.Select(p => new { chosen = Transcript(p.Prompt, p.Chosen), rejected = Transcript(p.Prompt, p.Rejected) }));
        JsonlRecords.Write(P("chat_pairs.jsonl"), pairs.Select(p => new
        {
            chosen = new[] { Turn("user", p.Prompt), Turn("assistant", p.Chosen) },
            rejected = new[] { Turn("user", p.Prompt), Turn("assistant", p.Rejected) },
        }));
        ParquetSerializer.SerializeAsync(pairs.Select(p => new PairRow { prompt = p.Prompt, chosen = p.Chosen, rejected = p.Rejected }), P("pairs.parquet"))
            .GetAwaiter().GetResult();
    }

#pragma warning disable IDE1006, CS8618 // parquet column names are the records' property names
    sealed class SftRow { public string prompt { get; set; } public string response { get; set; } }
    sealed class PairRow { public string prompt { get; set; } public string chosen { get; set; } public string rejected { get; set; } }
#pragma warning restore IDE1006, CS8618
}
