using System.Text.Json.Nodes;
using Rlhf.World;

namespace Rlhf.Tests.World;

/// <summary><c>rlhf data</c> as a user runs it.</summary>
public class DataCommandTests
{
    [Fact]
    public void Rlhf_data_with_the_shipped_worlds_options_rewrites_the_shipped_files_byte_for_byte()
    {
        string shipped = Repo.Path("data", "tinyworld");
        string fresh = Path.Combine(Path.GetTempPath(), "rlhf-data-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The command the data README gives: the options world.json records, as --world assignments.
            var changes = JsonNode.Parse(File.ReadAllText(Path.Combine(shipped, TinyWorldWriter.WorldFile)))!["changes"]!.AsArray()
                .SelectMany(c => new[] { "--world", c!.GetValue<string>() });
            Assert.Contains($"--world {changes.ElementAt(1)}", File.ReadAllText(Path.Combine(shipped, TinyWorldWriter.ReadmeFile)));
            var (exitCode, output) = Repo.RunCli(null, ["data", "--out", fresh, .. changes]);
            Assert.True(exitCode == 0, output);
            Assert.Contains("Label agreement", output);
            var files = Directory.EnumerateFiles(shipped, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(shipped, f)).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(files, Directory.EnumerateFiles(fresh, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(fresh, f)).Order(StringComparer.Ordinal));
            foreach (var file in files)
                Assert.True(File.ReadAllBytes(Path.Combine(shipped, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(fresh, file))), $"{file} differs");
        }
        finally { if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true); }
    }

    [Fact]
    public void An_unknown_language_is_refused()
    {
        var (exitCode, output) = Repo.RunCli(null, "data", "--lang", "fr", "--out", Path.Combine(Path.GetTempPath(), "never-written"));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("fr", output);
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), "never-written")));
    }
}
