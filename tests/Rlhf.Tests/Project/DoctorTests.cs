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

    [Fact]
    public void When_torch_cannot_load_doctor_fails_and_says_what_was_tried()
    {
        // Only meaningful where the compatibility copy is needed (an older libstdc++, like this Debian 12 machine):
        // an unwritable cache folder then leaves no way to load, and the error must say so.
        if (!Rlhf.Torch.TorchRuntime.Init().UsedCompatibilityCopy) return;
        var (exitCode, output) = Repo.RunCli(new Dictionary<string, string> { ["RLHF_NATIVE_CACHE"] = "/proc/rlhf-not-writable" }, "doctor");
        Assert.Equal(1, exitCode);
        Assert.Contains("Torch cannot run here", output);
        Assert.Contains("What was tried", output);
        Assert.Contains("GLIBCXX_3.4.32", output);
        Assert.Contains("What you can do", output);
    }
}
