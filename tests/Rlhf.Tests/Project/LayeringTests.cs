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

    static readonly Regex reference = new(@"\bRlhf\.(" + string.Join("|", layers.Keys) + @")\b");

    /// <summary>Every reference in <paramref name="root"/>'s folders to a folder on the same or a higher layer, and every folder without a layer.</summary>
    static List<string> Violations(string root)
    {
        var violations = new List<string>();
        foreach (var folder in Directory.GetDirectories(root).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).Select(f => f!))
        {
            if (!layers.TryGetValue(folder, out int layer))
            {
                violations.Add($"lib/Rlhf/{folder} has no layer in LayeringTests (and in docs/architecture.md): give it one");
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
                foreach (var used in reference.Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).Distinct())
                    if (used != folder && layers[used] >= layer)
                        violations.Add($"{Path.GetRelativePath(root, file)} uses Rlhf.{used} (layer {layers[used]}) from {folder} (layer {layer})");
        }
        return violations;
    }

    [Fact]
    public void Every_folder_uses_only_lower_layers()
    {
        var violations = Violations(Repo.Path("lib", "Rlhf"));
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void A_wrong_way_reference_and_a_folder_without_a_layer_are_reported()
    {
        var root = Directory.CreateTempSubdirectory("rlhf-layers-").FullName;
        try
        {
            void Write(string relative, string text)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, relative))!);
                File.WriteAllText(Path.Combine(root, relative), text);
            }
            Write("Models/Gpt.cs", "using Rlhf.Torch;\nusing Rlhf.Checkpoints;\nnamespace Rlhf.Models;");
            Write("Checkpoints/Checkpoint.cs", "using Rlhf.Models;\nnamespace Rlhf.Checkpoints;");
            Write("Extra/Thing.cs", "namespace Rlhf.Extra;");
            var violations = Violations(root);
            Assert.Equal(2, violations.Count);
            Assert.Contains(violations, v => v.StartsWith($"Models{Path.DirectorySeparatorChar}Gpt.cs uses Rlhf.Checkpoints", StringComparison.Ordinal));
            Assert.Contains(violations, v => v.Contains("lib/Rlhf/Extra has no layer", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
