using System.Text.Json;

namespace Rlhf.Data;

/// <summary>The seed's three jsonl formats: SFT <c>{"prompt","response"}</c>, ranked <c>{"prompt","responses":[{"text","rank"}]}</c> and pairwise <c>{"prompt","chosen","rejected"}</c>.</summary>
public static class SeedFormats
{
    /// <summary>Loads SFT examples.</summary>
    public static Loaded<SftExample> LoadSft(string path)
    {
        var (records, blank) = JsonlRecords.Read(path, (o, line) => new SftExample(
            JsonlRecords.RequireString(o, "prompt", path, line),
            JsonlRecords.RequireString(o, "response", path, line)));
        return new(records, new LoadReport(path, "sft jsonl", records.Count, blank, []));
    }

    /// <summary>Loads pairwise preferences; pairs whose chosen equals rejected are kept and reported.</summary>
    public static Loaded<PreferencePair> LoadPairwise(string path)
    {
        var identical = new List<int>();
        var (records, blank) = JsonlRecords.Read(path, (o, line) =>
        {
            var pair = new PreferencePair(
                JsonlRecords.RequireString(o, "prompt", path, line),
                JsonlRecords.RequireString(o, "chosen", path, line),
                JsonlRecords.RequireString(o, "rejected", path, line));
            if (pair.Chosen == pair.Rejected) identical.Add(line);
            return pair;
        });
        return new(records, new LoadReport(path, "pairwise jsonl", records.Count, blank, identical));
    }

    /// <summary>Loads ranked preferences (at least two responses, integer ranks >= 1); entries repeating a response text are kept and reported.</summary>
    public static Loaded<RankedPreference> LoadRanked(string path)
    {
        var identical = new List<int>();
        var (records, blank) = JsonlRecords.Read(path, (o, line) =>
        {
            string prompt = JsonlRecords.RequireString(o, "prompt", path, line);
            var array = JsonlRecords.RequireArray(o, "responses", path, line);
            if (array.GetArrayLength() < 2)
                throw new DatasetFormatException(path, line, "responses", $"needs at least 2 responses to rank, found {array.GetArrayLength()}");
            var responses = new List<RankedResponse>();
            int index = 0;
            foreach (var item in array.EnumerateArray())
            {
                string at = $"responses[{index}]";
                if (item.ValueKind != JsonValueKind.Object)
                    throw new DatasetFormatException(path, line, at, $"expected an object, found {JsonlRecords.Describe(item.ValueKind)}");
                string text = JsonlRecords.RequireString(item, "text", path, line, $"{at}.text");
                if (!item.TryGetProperty("rank", out var rank)) throw new DatasetFormatException(path, line, $"{at}.rank", "is missing");
                if (rank.ValueKind != JsonValueKind.Number || !rank.TryGetInt32(out int value) || value < 1)
                    throw new DatasetFormatException(path, line, $"{at}.rank", $"expected an integer >= 1, found {rank.GetRawText()}");
                responses.Add(new RankedResponse(text, value));
                index++;
            }
            if (responses.Select(r => r.Text).Distinct().Count() < responses.Count) identical.Add(line);
            return new RankedPreference(prompt, responses);
        });
        return new(records, new LoadReport(path, "ranked jsonl", records.Count, blank, identical));
    }
}
