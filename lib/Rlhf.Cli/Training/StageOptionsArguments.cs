using System.CommandLine;
using Rlhf.Training;

namespace Rlhf.Cli.Training;

/// <summary>The <c>--config file.json</c> and repeatable <c>--set name=value</c> options every training verb takes,
/// bound onto the stage's options record by <see cref="OptionsBinder"/> (one parameter, one path).</summary>
sealed class StageOptionsArguments
{
    readonly Option<string?> config = new("--config") { Description = "JSON file with options (snake_case names, nested objects for nested records)." };
    readonly Option<string[]> set = new("--set")
    {
        Description = "Override one option: name=value (e.g. --set learning_rate=3e-4 --set training.max_steps=100). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [],
    };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(config);
        command.Add(set);
    }

    /// <summary>The stage's defaults with the config file and overrides applied.</summary>
    public T Bind<T>(ParseResult parse, T defaults) where T : class =>
        OptionsBinder.Bind(defaults, parse.GetValue(config), parse.GetValue(set) ?? []);
}
