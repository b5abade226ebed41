using System.Text.RegularExpressions;

namespace Rlhf.Tests;

/// <summary>
/// The library's namespaces depend one way (docs/architecture.md draws the picture): each folder of lib/Rlhf may use only
/// folders on a lower layer. A new two-way dependency (say Models using Checkpoints) fails here with the files that cause it.
/// </summary>
public class LayeringTests
{
    /// <summary>Layer of each folder of lib/Rlhf; a folder may use folders of strictly lower layers.</summary>
    static readonly Dictionary<string, int> layers = new()
    {
        ["Torch"] = 0, ["Text"] = 0, ["Data"] = 0, ["Plots"] = 0,
        ["World"] = 1, ["Models"] = 1,
        ["Checkpoints"] = 2, ["Generation"] = 2,
        ["Evaluation"] = 3,
        ["Training"] = 4,
        ["Benchmarks"] = 5, ["Study"] = 5,
    };

    [Fact]
    public void Every_folder_uses_only_lower_layers()
    {
        var root = Repo.Path("lib", "Rlhf");
        var reference = new Regex(@"\bRlhf\.(" + string.Join("|", layers.Keys) + @")\b");
        var violations = new List<string>();
        foreach (var folder in Directory.GetDirectories(root).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")))
        {
            Assert.True(layers.ContainsKey(folder!), $"lib/Rlhf/{folder} has no layer in LayeringTests (and in docs/architecture.md): give it one");
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder!), "*.cs", SearchOption.AllDirectories))
                foreach (var used in reference.Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).Distinct())
                    if (used != folder && layers[used] >= layers[folder!])
                        violations.Add($"{Path.GetRelativePath(root, file)} uses Rlhf.{used} (layer {layers[used]}) from {folder} (layer {layers[folder!]})");
        }
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void The_check_sees_a_wrong_way_reference()
    {
        var reference = new Regex(@"\bRlhf\.(" + string.Join("|", layers.Keys) + @")\b");
        var used = reference.Matches("using Rlhf.Checkpoints;\nusing Rlhf.Torch;").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["Checkpoints", "Torch"], used);
        Assert.True(layers["Checkpoints"] >= layers["Models"]); // so Models using Checkpoints would be reported
    }
}
