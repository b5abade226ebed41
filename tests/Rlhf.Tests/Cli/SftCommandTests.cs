namespace Rlhf.Tests.Cli;

/// <summary><c>rlhf sft</c> as a newcomer runs it: bad options are refused with a message naming them, before any training.</summary>
public class SftCommandTests
{
    [Fact]
    public void An_unknown_option_is_refused_naming_it()
    {
        var (exitCode, output) = Repo.RunCli(null, "sft", "--set", "learning_rat=1e-3");
        Assert.Equal(2, exitCode);
        Assert.Contains("--set learning_rat: unknown option", output);
        Assert.Contains("training.learning_rate", output); // the known options are listed
    }

    [Fact]
    public void A_missing_input_checkpoint_is_named()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-checkpoint-{Guid.NewGuid():N}");
        var (exitCode, output) = Repo.RunCli(null, "sft", "--set", $"input_checkpoint={missing}", "--out", Path.Combine(Path.GetTempPath(), "unused-sft-out"));
        Assert.Equal(1, exitCode);
        Assert.Contains($"input checkpoint '{missing}' does not exist", output);
    }
}
