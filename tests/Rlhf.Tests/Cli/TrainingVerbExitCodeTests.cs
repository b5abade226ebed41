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
}
