using System.Text.Json;

namespace Rlhf.Tests.Project;

/// <summary>Promises the repository makes to a newcomer: the README's commands, CI, the dev container.</summary>
public class RepositoryTests
{
    static string ReadmeCommand(string marker)
    {
        var lines = File.ReadAllLines(Repo.Path("README.md"));
        int at = Array.FindIndex(lines, l => l.Contains(marker));
        Assert.True(at >= 0, $"README.md has no '{marker}' marker");
        return lines.Skip(at + 1).First(l => l.TrimStart().StartsWith("dotnet ")).Trim();
    }

    [Fact]
    public void Ci_runs_exactly_the_readmes_test_command()
    {
        var testCommand = ReadmeCommand("<!-- test-command -->");
        Assert.StartsWith("dotnet test", testCommand);
        var ci = File.ReadAllLines(Repo.Path(".ci", "run")).Select(l => l.Trim()).ToList();
        Assert.Contains(testCommand, ci);
        Assert.Contains("set -euo pipefail", ci);
    }

    [Fact]
    public void Readme_main_job_command_uses_the_cli()
    {
        var mainJob = ReadmeCommand("<!-- main-command -->");
        Assert.StartsWith("dotnet run --project lib/Rlhf.Cli --", mainJob);
    }

    [Fact]
    public void Devcontainer_is_valid_json_with_the_expected_keys()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Repo.Path(".devcontainer", "devcontainer.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = json.RootElement;
        Assert.Contains("dotnet:10.0", root.GetProperty("image").GetString());
        Assert.Equal("optional", root.GetProperty("hostRequirements").GetProperty("gpu").GetString());
        var extensions = root.GetProperty("customizations").GetProperty("vscode").GetProperty("extensions")
            .EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("ms-dotnettools.dotnet-interactive-vscode", extensions);
        Assert.Contains("ms-dotnettools.csdevkit", extensions);
        Assert.Contains("dotnet build", root.GetProperty("postCreateCommand").GetString());
        Assert.False(root.TryGetProperty("runArgs", out var runArgs) && runArgs.ToString().Contains("--gpus"),
            "a hard --gpus run argument would make the container fail on machines without a GPU");
    }
}
