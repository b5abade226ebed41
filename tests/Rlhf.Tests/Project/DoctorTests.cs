namespace Rlhf.Tests.Project;

public class DoctorTests
{
    [Fact]
    public void Doctor_reports_the_device_and_a_matmul_figure_even_with_eager_binding()
    {
        // LD_BIND_NOW makes the dynamic loader resolve every symbol at load time: the compatibility copy must still load.
        var (exitCode, output) = Repo.RunCli(new Dictionary<string, string> { ["LD_BIND_NOW"] = "1" }, "doctor", "--seconds", "0.2");
        Assert.True(exitCode == 0, output);
        Assert.Contains("TorchSharp", output);
        Assert.Contains("0.107.0", output);
        Assert.Matches(@"device\W+(cpu|cuda)", output);
        Assert.Matches(@"\d+\.\d GFLOP/s", output);
    }

    [Fact]
    public void Doctor_fails_with_a_message_for_an_unknown_device()
    {
        var (exitCode, output) = Repo.RunCli(null, "doctor", "--device", "tpu", "--seconds", "0.1");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Unknown device 'tpu'", output);
    }
}
