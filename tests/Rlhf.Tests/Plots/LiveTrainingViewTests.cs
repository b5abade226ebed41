using Rlhf.Plots;
using Rlhf.Training;

namespace Rlhf.Tests.Plots;

public class LiveTrainingViewTests
{
    static TrainingStep Step(int step, double loss) => new(step, 10, loss, 1e-3, 1.0, 100, 2000, new Dictionary<string, double>());

    [Fact]
    public void Updates_are_throttled_but_evaluations_and_the_end_always_show()
    {
        var updates = new List<string>();
        var view = new LiveTrainingView("SFT", v => updates.Add(v!.ToString()!), TimeSpan.FromHours(1));
        view.OnStart(0, 10);
        for (int s = 1; s <= 10; s++) view.OnStep(Step(s, 3.0 / s));
        view.OnEvaluation(10, new Dictionary<string, double> { ["eval/loss"] = 0.5 });
        view.OnEnd(new TrainingResult(10, 0.3, new Dictionary<string, double>(), new MetricsHistory(), null));
        Assert.Equal(3, updates.Count); // start, evaluation, end: the steps in between are throttled away
        Assert.Contains("step 10 of 10", updates[1]);
        Assert.Contains("eval/loss 0.5", updates[1]);
        Assert.StartsWith("SFT: done: 10 steps", updates[2]);
    }

    [Fact]
    public void The_html_holds_an_svg_loss_curve_scaled_to_its_box()
    {
        var view = new LiveTrainingView("pretrain", _ => { });
        view.OnStep(Step(1, 4));
        view.OnStep(Step(2, 2));
        view.OnStep(Step(3, 1));
        var html = view.ToHtml();
        Assert.Contains("<svg", html);
        // x spans 2..358 over steps 1..3; y maps loss 4 -> top (2) and 1 -> bottom (78).
        Assert.Contains("points=\"2.0,2.0 180.0,52.7 358.0,78.0\"", html);
        Assert.Contains("loss 1.0000", html);
    }

    [Fact]
    public void Titles_are_html_escaped() =>
        Assert.Contains("&lt;b&gt;", new LiveTrainingView("<b>", _ => { }).ToHtml());

    [Fact]
    public void Only_the_chosen_evaluation_metrics_are_shown_in_their_order_one_per_row()
    {
        var view = new LiveTrainingView("DPO", _ => { }, evaluationMetrics: ["eval/rewards/accuracies", "eval/loss", "eval/not_logged"]);
        view.OnEvaluation(5, new Dictionary<string, double> { ["eval/loss"] = 0.61, ["eval/logps/chosen"] = -40, ["eval/rewards/accuracies"] = 0.7 });
        var html = view.ToHtml();
        Assert.DoesNotContain("logps", html);
        Assert.True(html.IndexOf("eval/rewards/accuracies", StringComparison.Ordinal) < html.IndexOf("eval/loss", StringComparison.Ordinal));
        Assert.Equal(2, html.Split("<tr>").Length - 1);
        Assert.EndsWith("eval/rewards/accuracies 0.7  eval/loss 0.61", view.ToString());
    }
}
