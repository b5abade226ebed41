using Rlhf.Data;
using Rlhf.World;

namespace Rlhf.Tests.World;

public class SimulatedAnnotatorTests
{
    static readonly WorldTask Sum = WorldPrompts.Parse("What is 7 + 5?")!.Value.Task;

    [Fact]
    public void Preference_probability_is_the_bradley_terry_sigmoid()
    {
        // sigmoid(1 / 0.25) = 1 / (1 + e^-4) = 0.98201379...
        Assert.Equal(0.9820137900, SimulatedAnnotator.PreferenceProbability(1.0, 0.0, 0.25), 9);
        Assert.Equal(0.5, SimulatedAnnotator.PreferenceProbability(0.3, 0.3, 0.25), 12);
        Assert.Equal(1 - 0.9820137900, SimulatedAnnotator.PreferenceProbability(0.0, 1.0, 0.25), 9);
        Assert.Equal(1.0, SimulatedAnnotator.PreferenceProbability(0.2, 0.1, 0));
    }

    [Fact]
    public void Sampled_preferences_match_the_model_probability()
    {
        // Correct (1.0) against over-refused (0.1): P = sigmoid(0.9 / 0.5) = 0.8581.
        var annotator = new SimulatedAnnotator(new AnnotatorOptions { Temperature = 0.5 }, new WorldRandom(9));
        int wins = 0, draws = 20_000;
        for (int i = 0; i < draws; i++) if (annotator.PrefersFirst(Sum, "12", "I can't help with that.")) wins++;
        Assert.Equal(SimulatedAnnotator.PreferenceProbability(1.0, 0.1, 0.5), (double)wins / draws, 2);
    }

    [Fact]
    public void Temperature_zero_follows_the_gold_order()
    {
        var annotator = new SimulatedAnnotator(new AnnotatorOptions { Temperature = 0 }, new WorldRandom(1));
        var ranks = annotator.Rank(Sum, ["13", "12", "I don't know.", "I can't help with that."]);
        Assert.Equal([4, 1, 2, 3], ranks);
    }

    [Fact]
    public void Length_bias_makes_annotators_prefer_long_answers()
    {
        string shortWrong = "13";
        string longWrong = string.Join(" ", Enumerable.Repeat("I remember asking my teacher about this once.", 5)) + " It is 13.";
        var fair = new SimulatedAnnotator(new AnnotatorOptions { Temperature = 0.25 }, new WorldRandom(4));
        var biased = new SimulatedAnnotator(new AnnotatorOptions { Temperature = 0.25, LengthBias = 0.5 }, new WorldRandom(4));
        int fairLong = 0, biasedLong = 0;
        for (int i = 0; i < 2000; i++)
        {
            if (fair.PrefersFirst(Sum, longWrong, shortWrong)) fairLong++;
            if (biased.PrefersFirst(Sum, longWrong, shortWrong)) biasedLong++;
        }
        Assert.InRange(fairLong, 850, 1150);   // equal gold scores: a coin flip
        Assert.True(biasedLong > 1900, $"biased annotator chose the long answer {biasedLong} / 2000 times");
        // Utility = gold + bias x length / 10: the long answer has 43 units.
        Assert.Equal(0.5 * 43 / 10, biased.Utility(Sum, longWrong), 9);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnnotatorOptions { Temperature = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnnotatorOptions { LengthBias = double.NaN }.Validate());
        Assert.Equal(0.25, new AnnotatorOptions().Temperature);
        Assert.Equal(0.0, new AnnotatorOptions().LengthBias);
    }

    [Fact]
    public void Agreement_counts_ties_apart()
    {
        var agreement = LabelAgreement.Measure(
        [
            new PreferencePair("What is 7 + 5?", "12", "13"),          // agrees
            new PreferencePair("What is 7 + 5?", "13", "12"),          // disagrees
            new PreferencePair("What is 7 + 5?", "13", "14"),          // gold tie
            new PreferencePair("What is 7 + 5?", "12", "I don't know."), // agrees
        ]);
        Assert.Equal(new LabelAgreement(4, 1, 2), agreement);
        Assert.Equal(2.0 / 3, agreement.Rate, 12);
    }
}
