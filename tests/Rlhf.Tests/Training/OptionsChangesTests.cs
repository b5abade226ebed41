using Rlhf.Training;

namespace Rlhf.Tests.Training;

/// <summary>"What this run changed": only the options that differ from the reference, by their --set names.</summary>
public class OptionsChangesTests
{
    [Fact]
    public void Only_the_changed_options_are_listed_with_both_values()
    {
        var reference = new PpoOptions();
        var run = reference with { KlCoef = 0.05, Ptx = reference.Ptx with { Coef = 10 }, Training = reference.Training with { Seed = 7 } };
        var changes = OptionsChanges.Between(reference, run);
        Assert.Equal(["training.seed", "kl_coef", "ptx.coef"], changes.Select(c => c.Option).ToList());
        Assert.Equal(new OptionChange("kl_coef", "0.3", "0.05"), changes[1]);
        Assert.Empty(OptionsChanges.Between(reference, reference with { }));
        var table = OptionsChanges.Table("what we changed", reference, run);
        Assert.Equal(["option", "default", "this run"], table.Columns);
        Assert.Equal(3, table.Rows.Count);
    }
}
