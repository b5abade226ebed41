using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Rlhf.Tests;

/// <summary>
/// Every field of every stage's options is read by code other than its own record (its trainer, data loading, evaluation
/// or the CLI). A field nothing reads is a setting that silently does nothing (as <c>log_directory</c> once was for PPO);
/// this test names it. The tests of each stage then show what the field changes (resume, ptx, KL, loss, batching tests).
/// </summary>
public class OptionsAreReadTests
{
    static readonly string[] stageOptions =
    [
        "Rlhf.Training.TrainingOptions", "Rlhf.Training.PretrainingMixOptions", "Rlhf.Training.PretrainOptions",
        "Rlhf.Training.SftOptions", "Rlhf.Training.RewardModelOptions", "Rlhf.Training.DpoOptions", "Rlhf.Training.PpoOptions",
        "Rlhf.Training.GrpoOptions", "Rlhf.Training.RlooOptions",
        "Rlhf.Evaluation.PolicyEvaluationOptions", "Rlhf.Generation.GenerationOptions",
    ];

    static Dictionary<string, string> Sources() =>
        new[] { Repo.Path("lib", "Rlhf"), Repo.Path("lib", "Rlhf.Cli"), Repo.Path("lib", "Rlhf.Notebooks") }
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToDictionary(f => f, File.ReadAllText);

    /// <summary>The fields of <paramref name="typeName"/> that no source file except its record's reads (<c>.Name</c>, not <c>Name =</c>).</summary>
    static List<string> Unread(string typeName, IReadOnlyDictionary<string, string> sources)
    {
        var type = typeof(Rlhf.Training.TrainingOptions).Assembly.GetType(typeName)
                   ?? throw new Xunit.Sdk.XunitException($"{typeName} no longer exists: update the list");
        var declaring = sources.Keys.Where(f => Regex.IsMatch(sources[f], $@"\brecord\s+{type.Name}\b")).ToHashSet();
        Assert.NotEmpty(declaring);
        var unread = new List<string>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is null || property.GetCustomAttribute<JsonIgnoreAttribute>() is not null) continue; // computed, not an option
            var key = $"{type.Name}.{property.Name}";
            var read = new Regex($@"\.{property.Name}\b(?!\s*=[^=>])");
            if (!sources.Any(s => !declaring.Contains(s.Key) && read.IsMatch(s.Value))) unread.Add(key);
        }
        return unread;
    }

    [Fact]
    public void Every_option_of_every_stage_is_read_outside_its_record()
    {
        var sources = Sources();
        var unread = stageOptions.SelectMany(t => Unread(t, sources)).ToList();
        Assert.True(unread.Count == 0, "options nothing outside their record reads:\n" + string.Join("\n", unread));
    }

    [Fact]
    public void A_field_whose_reader_is_gone_is_reported()
    {
        // Without the PPO trainer's files, the KL controller's settings are read by nobody.
        var sources = Sources().Where(s => !Path.GetFileName(s.Key).StartsWith("PpoTrainer", StringComparison.Ordinal))
            .ToDictionary(s => s.Key, s => s.Value);
        var unread = Unread("Rlhf.Training.PpoOptions", sources);
        Assert.Contains("PpoOptions.TargetKl", unread);
        Assert.Contains("PpoOptions.Horizon", unread);
    }
}
