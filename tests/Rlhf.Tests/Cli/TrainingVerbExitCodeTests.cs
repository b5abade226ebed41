namespace Rlhf.Tests.Cli;

/// <summary>Every training verb reports bad options the same way: exit code 2 (a usage error) and the option's name.</summary>
public sealed class TrainingVerbExitCodeTests
{
    [Theory]
    [InlineData("pretrain")]
    [InlineData("sft")]
    [InlineData("rm")]
    [InlineData("dpo")]
    [InlineData("ppo")]
    public void An_unknown_option_is_a_usage_error_naming_the_option(string verb)
    {
        var (code, text) = Repo.RunCli(null, verb, "--set", "no_such_option=1");
        Assert.True(code == 2, $"rlhf {verb} exited {code}: {text}");
        Assert.Contains("no_such_option", text);
    }

    [Theory]
    [InlineData("sft", "training.learning_rate=NaN")]
    [InlineData("dpo", "training.learning_rate=Infinity")]
    [InlineData("ppo", "learning_rate=-Infinity")]
    public void A_number_that_is_not_finite_is_a_usage_error_naming_the_option(string verb, string assignment)
    {
        var (code, text) = Repo.RunCli(null, verb, "--set", assignment);
        Assert.True(code == 2, $"rlhf {verb} exited {code}: {text}");
        Assert.Contains("expected a finite number", text);
        Assert.DoesNotContain("   at ", text); // a message, not a stack trace
    }

    [Fact]
    public void A_folder_given_as_config_is_a_usage_error()
    {
        var folder = Directory.CreateTempSubdirectory("rlhf-config-dir-").FullName;
        try
        {
            var (code, text) = Repo.RunCli(null, "sft", "--config", folder);
            Assert.True(code == 2, text);
            Assert.Contains("is a folder; --config takes a JSON file", text);
        }
        finally { Directory.Delete(folder); }
    }

    [Fact]
    public void A_dataset_error_in_sft_is_one_message_naming_file_line_and_field()
    {
        var folder = Directory.CreateTempSubdirectory("rlhf-bad-sft-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "sft.jsonl"), "{\"prompt\":\"a\"}\n");
            var (code, text) = Repo.RunCli(null, "sft", "--set", $"data_folder={folder}", "--set", "training.max_steps=1", "--out", Path.Combine(folder, "out"));
            Assert.Equal(1, code);
            Assert.Contains("sft.jsonl, line 1, field 'response': is missing", text);
            Assert.DoesNotContain("   at ", text);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void A_reward_model_on_an_empty_pairs_file_names_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("rlhf-empty-rm-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "preferences_pairwise.jsonl"), "\n");
            File.Copy(Repo.Path("data", "tinyworld", "eval_preferences_pairwise.jsonl"), Path.Combine(folder, "eval_preferences_pairwise.jsonl"));
            var (code, text) = Repo.RunCli(null, "rm", "--set", $"data_folder={folder}", "--set", "training.max_steps=1", "--out", Path.Combine(folder, "out"));
            Assert.Equal(1, code);
            Assert.Contains("preferences_pairwise.jsonl", text); // Spectre wraps long lines: check the parts
            Assert.Contains("holds no preference pairs", text);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
