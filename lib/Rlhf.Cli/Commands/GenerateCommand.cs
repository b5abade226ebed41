using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Rlhf.Checkpoints;
using Rlhf.Generation;
using Rlhf.Text;

namespace Rlhf.Cli.Commands;

/// <summary>
/// <c>rlhf generate</c>: load a checkpoint folder (ours or an HF GPT-2 folder) and complete one prompt,
/// through the same <see cref="GenerationEngine"/> the trainers use.
/// </summary>
static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Checkpoint folder: ours (config.json + model.safetensors + tokenizer) or a Hugging Face GPT-2 folder.", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "The text to complete (an empty prompt starts from end-of-text, as GPT-2 does).", Required = true };
        var chat = new Option<bool>("--chat") { Description = $"Wrap the prompt in the chat template: \"{ChatTemplate.HumanHeader} <prompt>{ChatTemplate.AssistantHeader.Replace("\n", "\\n")}\"." };
        var greedy = new Option<bool>("--greedy") { Description = "Always take the most likely token (cannot be combined with --temperature, --top-k, --top-p)." };
        var temperature = new Option<double?>("--temperature") { Description = $"Divide the logits by T before sampling; 0 is greedy (default {new SamplingOptions().Temperature})." };
        var topK = new Option<int?>("--top-k") { Description = $"Sample only among the K most likely tokens; 0 = all (default {new SamplingOptions().TopK})." };
        var topP = new Option<double?>("--top-p") { Description = $"Sample only among the most likely tokens holding probability P (default {new SamplingOptions().TopP})." };
        var maxNew = new Option<int?>("--max-new") { Description = $"Most tokens to generate (default {new GenerationOptions().MaxNewTokens})." };
        var seed = new Option<long?>("--seed") { Description = $"Random seed: the same seed gives the same tokens (default {new GenerationOptions().Seed})." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: text, prompt_ids, generated_ids, logprobs (of each generated token under the sampling distribution; untempered for greedy)." };
        var command = new Command("generate", "Complete a prompt with a checkpoint's model.")
        {
            model, prompt, chat, greedy, temperature, topK, topP, maxNew, seed, json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(greedy) && (parse.GetValue(temperature) is not null || parse.GetValue(topK) is not null || parse.GetValue(topP) is not null))
            {
                Console.Error.WriteLine("--greedy cannot be combined with --temperature, --top-k or --top-p: greedy decoding does not sample.");
                return 2;
            }
            var sampling = new SamplingOptions();
            sampling = sampling with
            {
                Greedy = parse.GetValue(greedy),
                Temperature = parse.GetValue(temperature) ?? sampling.Temperature,
                TopK = parse.GetValue(topK) ?? sampling.TopK,
                TopP = parse.GetValue(topP) ?? sampling.TopP,
            };
            var defaults = new GenerationOptions();
            var options = new GenerationOptions
            {
                Sampling = sampling,
                MaxNewTokens = parse.GetValue(maxNew) ?? defaults.MaxNewTokens,
                Seed = parse.GetValue(seed) ?? defaults.Seed,
            };
            return Run(parse.GetValue(model)!, parse.GetValue(prompt)!, parse.GetValue(chat), options, parse.GetValue(json));
        });
        return command;
    }

    static int Run(string folder, string promptText, bool chat, GenerationOptions options, bool json)
    {
        try
        {
            options.Validate();
            var tokenizer = TextTokenizer.Load(folder);
            using var model = Checkpoint.LoadGpt(folder);
            var promptIds = EncodePrompt(tokenizer, promptText, chat, model.ContextLength - options.MaxNewTokens, options.MaxNewTokens, model.ContextLength);

            var engine = new GenerationEngine(model);
            using var result = engine.Generate([promptIds], options, tokenizer.EndOfTextId, tokenizer.PadId);
            var sequence = result.Sequences()[0];
            var generated = sequence.GeneratedIds;
            var logProbs = sequence.LogProbs.Where((_, i) => sequence.ResponseMask[i] == 1).ToArray();
            var text = tokenizer.Decode(generated, skipSpecialTokens: true);

            if (json) Console.WriteLine(ToJson(text, sequence.PromptIds, generated, logProbs));
            else Console.WriteLine(text);
            return 0;
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or Rlhf.Data.DatasetFormatException)
        {
            Console.Error.WriteLine($"rlhf generate: {e.Message}");
            return 1;
        }
    }

    /// <summary>Prompt ids, cut from the left (and said so on stderr) when prompt plus new tokens exceed the context.</summary>
    static int[] EncodePrompt(TextTokenizer tokenizer, string promptText, bool chat, int room, int maxNew, int context)
    {
        if (room < 1)
            throw new ArgumentException($"--max-new {maxNew} leaves no room for a prompt in the model's context of {context} tokens.");
        if (chat)
        {
            var template = new ChatTemplate(tokenizer);
            if (room < template.TemplateLength)
                throw new ArgumentException($"--max-new {maxNew} leaves {room} tokens of the {context}-token context, fewer than the chat template's own {template.TemplateLength}.");
            var encoded = template.EncodePrompt(promptText, room);
            if (encoded.Truncation.Truncated) Console.Error.WriteLine($"note: prompt {encoded.Truncation} to fit the context of {context} tokens with --max-new {maxNew}");
            return encoded.InputIds;
        }
        var ids = tokenizer.Encode(promptText);
        if (ids.Length == 0) return [tokenizer.EndOfTextId];
        if (ids.Length <= room) return ids;
        Console.Error.WriteLine($"note: prompt truncated: {ids.Length - room} tokens removed from the left to fit the context of {context} tokens with --max-new {maxNew}");
        return ids[^room..];
    }

    static string ToJson(string text, int[] promptIds, int[] generatedIds, float[] logProbs)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("text", text);
            writer.WriteStartArray("prompt_ids");
            foreach (var id in promptIds) writer.WriteNumberValue(id);
            writer.WriteEndArray();
            writer.WriteStartArray("generated_ids");
            foreach (var id in generatedIds) writer.WriteNumberValue(id);
            writer.WriteEndArray();
            writer.WriteStartArray("logprobs");
            foreach (var p in logProbs) writer.WriteNumberValue(p);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
