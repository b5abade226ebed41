using Rlhf.Plots;
using Rlhf.Training;

namespace Rlhf.Tests.Plots;

public class LiveMetricsViewTests
{
    static TrainingStep Step(int step, double score, double kl) =>
        new(step, 3, 1.0 / step, 1e-3, 1, 10, 100, new Dictionary<string, double> { ["objective/scores"] = score, ["objective/kl"] = kl, ["other"] = 9 });

    [Fact]
    public void Keeps_one_curve_per_chosen_metric_and_draws_each()
    {
        int updates = 0;
        var view = new LiveMetricsView("PPO", ["objective/scores", "objective/kl", "loss"], _ => updates++, TimeSpan.Zero);
        view.OnStart(0, 3);
        for (int s = 1; s <= 3; s++) view.OnStep(Step(s, 0.1 * s, 2.0 * s));
        Assert.Equal([(1, 0.1), (2, 0.2), (3, 0.30000000000000004)], view.Points("objective/scores"));
        Assert.Equal([1.0, 0.5, 1.0 / 3], view.Points("loss").Select(p => p.Value));
        var html = view.ToHtml();
        Assert.Equal(3, html.Split("<svg").Length - 1);
        Assert.Contains("objective/kl 6", html);
        Assert.DoesNotContain("other", html);
        Assert.Equal(4, updates);
    }
}
