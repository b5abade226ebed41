namespace Rlhf.Tests.Cli;

public sealed class DataCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-data-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void World_options_reach_the_data_and_the_readme_command_regenerates_it_byte_for_byte()
    {
        string first = Path.Combine(root, "first"), second = Path.Combine(root, "second");
        var (code, text) = Repo.RunCli(null, "data", "--out", first, "--world", "ideal_demonstration_rate=0.4",
            "--world", "answer_flaw_weights=[0,0.85,0.05,0.05,0,0.05]", "--world", "corpus_documents=600", "--world", "sft_examples=300");
        Assert.True(code == 0, text);
        var readme = File.ReadAllText(Path.Combine(first, "README.md"));
        var command = readme.Split('\n').Single(l => l.StartsWith("dotnet run --project lib/Rlhf.Cli -- data ", StringComparison.Ordinal));
        Assert.Equal("dotnet run --project lib/Rlhf.Cli -- data --seed 1234 --lang en --world corpus_documents=600 --world sft_examples=300 " +
            "--world ideal_demonstration_rate=0.4 --world 'answer_flaw_weights=[0,0.85,0.05,0.05,0,0.05]'", command);
        Assert.Contains("| Arithmetic, Fact, ReverseWord, CountLetter | Correct 40%, CorrectVerbose 51%, Wrong 3%, Rambling 3%, AdmitLimit 3% | " +
            "CorrectVerbose (a flaw) |", readme);
        Assert.Contains("| `sft.jsonl` | `{\"prompt\",\"response\"}` | 300 lines", readme);

        // The README's own command, run again (its quotes are the shell's), writes the same bytes.
        var args = command["dotnet run --project lib/Rlhf.Cli -- ".Length..].Replace("'", "").Split(' ');
        (code, text) = Repo.RunCli(null, [.. args, "--out", second]);
        Assert.True(code == 0, text);
        foreach (var file in Directory.GetFiles(first, "*", SearchOption.AllDirectories))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(second, Path.GetRelativePath(first, file))));
    }

    [Fact]
    public void A_bad_world_option_is_named_and_nothing_is_written()
    {
        var folder = Path.Combine(root, "bad");
        var (code, text) = Repo.RunCli(null, "data", "--out", folder, "--world", "answer_flaw_weights=[0,1]");
        Assert.Equal(2, code);
        Assert.Contains("AnswerFlawWeights needs 6 finite non-negative weights", text);
        (code, text) = Repo.RunCli(null, "data", "--out", folder, "--world", "ideal_rate=0.4");
        Assert.Equal(2, code);
        Assert.Contains("--world ideal_rate: unknown option", text);
        Assert.False(Directory.Exists(folder));
    }
}
