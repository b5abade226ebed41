using Rlhf.Training;

namespace Rlhf.Tests.Training;

/// <summary>Every run names the objective it actually optimises, not the algorithm it starts from.</summary>
public class ObjectiveNameTests
{
    [Fact]
    public void Dpo_names_its_loss_and_the_terms_added_to_it()
    {
        Assert.Equal("DPO + NLL (2)", new DpoOptions().ObjectiveName);
        Assert.Equal("DPO", new DpoOptions { SftWeight = 0 }.ObjectiveName);
        Assert.Equal("IPO + NLL (0.5) + ptx (3)", new DpoOptions { Loss = DpoLossKind.Ipo, SftWeight = 0.5, Ptx = new PretrainingMixOptions { Coef = 3 } }.ObjectiveName);
        Assert.Equal("SimPO", new DpoOptions { Loss = DpoLossKind.Simpo, SftWeight = 0 }.ObjectiveName);
    }

    [Fact]
    public void Ppo_is_named_ppo_ptx_with_its_coefficient_unless_the_term_is_off()
    {
        Assert.Equal("PPO", new PpoOptions().ObjectiveName); // the default: plain PPO, as TRL
        Assert.Equal("PPO-ptx (10)", new PpoOptions { Ptx = PpoOptions.DefaultPtx with { Coef = 10 } }.ObjectiveName);
    }

    [Fact]
    public void The_name_is_not_an_option()
    {
        Assert.DoesNotContain("objective", OptionsBinder.ToJson(new DpoOptions()));
        Assert.DoesNotContain("objective", OptionsBinder.ToJson(new PpoOptions()));
    }
}
