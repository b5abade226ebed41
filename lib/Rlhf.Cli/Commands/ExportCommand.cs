using System.CommandLine;
using Rlhf.Checkpoints;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf export --model DIR --out HFDIR</c>: a checkpoint of any stage as a folder transformers loads as
/// <c>GPT2LMHeadModel</c> (config.json, model.safetensors with HF names, tokenizer files, generation_config.json), the way
/// out to TRL, OpenRLHF and DeepSpeed-Chat (docs/scale.md).</summary>
static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The checkpoint folder to export (any stage's output, e.g. data/checkpoints/sft).", Required = true };
        var output = new Option<string>("--out") { Description = "The Hugging Face folder to write (replaced when complete).", Required = true };
        var command = new Command("export", "Write a checkpoint as a Hugging Face GPT-2 folder (GPT2LMHeadModel.from_pretrained loads it).") { model, output };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(output)!));
        return command;
    }

    static int Run(string model, string output)
    {
        try
        {
            Torch.TorchRuntime.Init();
            var (vocabulary, droppedPad) = HfExport.Write(model, output);
            Console.WriteLine($"wrote {output}: GPT2LMHeadModel, vocab_size {vocabulary}" +
                (droppedPad ? " (the pad row left out: our models never predict it; pad is <|endoftext|> there, as in GPT-2)" : ""));
            Console.WriteLine($"load it with: GPT2LMHeadModel.from_pretrained(\"{output}\"), AutoTokenizer.from_pretrained(\"{output}\")");
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or CheckpointFormatException or ArgumentException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rlhf export: {e.Message}");
            return 1;
        }
    }
}
