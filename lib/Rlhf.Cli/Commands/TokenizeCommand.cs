using System.CommandLine;
using Rlhf.Text;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf tokenize</c>: the ids (and token pieces) a tokenizer gives a text: GPT-2's own BPE, or a tokenizer folder.</summary>
static class TokenizeCommand
{
    public static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer")
        {
            Description = "gpt2 (GPT-2's own BPE, no files needed) or a tokenizer folder (vocab.json + merges.txt), e.g. data/tinyworld/tokenizer.",
            DefaultValueFactory = _ => Path.Combine("data", "tinyworld", "tokenizer"),
        };
        var text = new Option<string>("--text") { Description = "The text to tokenize.", Required = true };
        var command = new Command("tokenize", "Print the token ids of a text, and the piece each id stands for.") { tokenizer, text };
        command.SetAction(parse => Run(parse.GetValue(tokenizer)!, parse.GetValue(text)!));
        return command;
    }

    static int Run(string tokenizer, string text)
    {
        IReadOnlyList<int> ids;
        Func<int, string> piece;
        try
        {
            if (tokenizer.Equals("gpt2", StringComparison.OrdinalIgnoreCase))
            {
                ids = Gpt2Bpe.Encode(text);
                piece = id => Gpt2Bpe.Decode([id]);
            }
            else
            {
                var loaded = TextTokenizer.Load(tokenizer);
                ids = loaded.Encode(text);
                piece = id => loaded.Decode([id]);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rlhf tokenize: {e.Message}");
            return 1;
        }
        Console.WriteLine($"[{string.Join(", ", ids)}]");
        var readable = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Console.WriteLine(string.Join(" | ", ids.Select(id => $"{id}: {System.Text.Json.JsonSerializer.Serialize(piece(id), readable)}")));
        return 0;
    }
}
