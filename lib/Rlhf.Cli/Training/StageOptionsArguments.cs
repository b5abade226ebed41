using System.CommandLine;
using Rlhf.Training;

namespace Rlhf.Cli.Training;

/// <summary>The options every training verb takes: <c>--config file.json</c>, repeatable <c>--set name=value</c>,
/// <c>--out DIR</c> and, for verbs whose options record has <c>resume_from</c>, <c>--resume DIR</c>. All of them are
/// bound onto the stage's options record by <see cref="OptionsBinder"/>: <c>--out X</c> is <c>--set output_folder=X</c>
/// (one parameter, one path).</summary>
sealed class StageOptionsArguments(string outputDescription, bool resumable)
{
    readonly Option<string?> config = new("--config") { Description = "JSON file with options (snake_case names, nested objects for nested records)." };
    readonly Option<string[]> set = new("--set")
    {
        Description = "Override one option: name=value (e.g. --set learning_rate=3e-4 --set training.max_steps=100). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [],
    };
    readonly Option<string?> output = new("--out") { Description = outputDescription };
    readonly Option<string?> preset = new("--preset") { Description = $"Start from a preset instead of the course defaults: {Gpt2SmallPreset.Name} (the stage on a GPT-2 small folder with GPT-2-sized hyperparameters; docs/scale.md)." };
    readonly Option<string?>? resume = resumable
        ? new("--resume") { Description = "Continue from a trainer checkpoint folder (OUT/checkpoints/step-NNNNNN)." }
        : null;

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(config);
        command.Add(set);
        command.Add(output);
        command.Add(preset);
        if (resume is not null) command.Add(resume);
    }

    /// <summary>The stage's defaults (or the <c>--preset</c>'s) with the config file, then <c>--set</c>, <c>--out</c> and <c>--resume</c> applied.</summary>
    public T Bind<T>(ParseResult parse, T defaults) where T : class
    {
        if (parse.GetValue(preset) is { } name)
            defaults = Gpt2SmallPreset.For<T>(name) ?? throw new ArgumentException($"--preset {name}: unknown preset for this verb (known: {Gpt2SmallPreset.Name})");
        var overrides = (parse.GetValue(set) ?? []).ToList();
        if (parse.GetValue(output) is { } folder) overrides.Add($"output_folder={folder}");
        if (resume is not null && parse.GetValue(resume) is { } checkpoint) overrides.Add($"resume_from={checkpoint}");
        return OptionsBinder.Bind(defaults, parse.GetValue(config), overrides);
    }
}
