using System.Text.Json.Nodes;
using Rlhf.Evaluation;

namespace Rlhf.Tests.Evaluation;

/// <summary>The options of the course comparison and the frontier: defaults, overrides and the errors a learner meets.</summary>
public class PolicySetTests
{
    [Fact]
    public void A_missing_course_policy_names_the_notebook_that_creates_it()
    {
        var root = Directory.CreateTempSubdirectory("rlhf-no-course-").FullName;
        try
        {
            var ppo = CoursePolicies.Compared(root).Single(p => p.Name == "ppo");
            var error = Assert.Throws<DirectoryNotFoundException>(() => ppo.Validate());
            Assert.Contains(Path.Combine(root, "out/04-ppo"), error.Message);
            Assert.Contains("notebook run notebooks/04-ppo.ipynb", error.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_policy_left_from_an_older_sft_model_or_tokenizer_is_not_current()
    {
        Rlhf.Torch.TorchRuntime.Init();
        var root = Directory.CreateTempSubdirectory("rlhf-stale-").FullName;
        try
        {
            var tokenizer = Repo.Path("data", "tinyworld", "tokenizer");
            void Save(string folder, int vocabulary)
            {
                var config = new Rlhf.Models.GptConfig { Layers = 1, Heads = 1, EmbeddingSize = 8, ContextLength = 16, VocabularySize = vocabulary };
                using var model = new Rlhf.Models.Gpt(config, Rlhf.Torch.TorchRuntime.Device);
                Rlhf.Checkpoints.Checkpoint.Save(folder, model, config, tokenizer);
            }
            string sft = Path.Combine(root, CoursePolicies.SftFolder), ppo = Path.Combine(root, CoursePolicies.PpoFolder);
            Save(sft, 2048);
            Assert.False(CoursePolicies.IsCurrent(ppo, root)); // missing
            Save(ppo, 2048);
            Assert.True(CoursePolicies.IsCurrent(ppo, root));
            File.SetLastWriteTimeUtc(Path.Combine(ppo, "model.safetensors"), DateTime.UtcNow.AddDays(-1)); // trained before this SFT model
            Assert.False(CoursePolicies.IsCurrent(ppo, root));
            Save(ppo, 2016); // an older tokenizer's vocabulary
            Assert.False(CoursePolicies.IsCurrent(ppo, root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Course_defaults_compare_base_sft_ppo_dpo_and_a_policy_argument_replaces_or_adds()
    {
        var options = PolicySetOptions.Course(".");
        Assert.Equal(["base", "sft", "ppo", "dpo"], options.Policies.Select(p => p.Name));
        Assert.Equal(Path.Combine(".", "out/04-ppo"), options.Policies[2].Folder);
        var changed = options.WithPolicy(NamedPolicy.Parse("ppo=elsewhere")).WithPolicy(NamedPolicy.Parse(" extra = x "));
        Assert.Equal(["base", "sft", "ppo", "dpo", "extra"], changed.Policies.Select(p => p.Name));
        Assert.Equal("elsewhere", changed.Policies[2].Folder);
        Assert.Equal("x", changed.Policies[4].Folder);
        Assert.Throws<FormatException>(() => NamedPolicy.Parse("=folder"));
        Assert.Throws<FormatException>(() => NamedPolicy.Parse("name="));
    }

    [Fact]
    public void A_reference_that_is_not_a_policy_is_refused()
    {
        var options = new PolicySetOptions { Policies = [new NamedPolicy("sft", Repo.Path("data", "checkpoints", "sft"))], Baseline = "sft", Reference = "ref" };
        var error = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Contains("\"reference\" is 'ref', which is not one of the policies (sft)", error.Message);
    }

    [Fact]
    public void Dpo_beta_runs_sit_beside_the_main_run_and_are_named_by_beta()
    {
        var main = CoursePolicies.Dpo("..");
        Assert.Equal(Path.Combine("..", "out/05-dpo"), main.OutputFolder);
        Assert.Equal(Path.Combine("..", "out", "05-dpo-beta-0.03"), CoursePolicies.DpoBeta(main, 0.03).OutputFolder);
        Assert.Equal(0.03, CoursePolicies.DpoBeta(main, 0.03).Beta);
        Assert.Equal("out/06-ppo-kl0.2", CoursePolicies.PpoKlFolder(0.2));
    }

    [Fact]
    public void The_table_of_an_evaluation_json_has_a_row_per_metric_and_a_column_per_policy()
    {
        var json = JsonNode.Parse("""
            {"policies": {"sft": {"gold_mean": 0.25, "success/fact": 1, "t1": {"gold_mean": 0.5}}, "ppo": {"gold_mean": 0.75, "t1": {"gold_mean": 1}}},
             "settings": {"greedy": "greedy, max 48 new tokens", "t1": "T=1", "prompts": 7}}
            """)!.AsObject();
        var table = PolicySetEvaluation.Table(json);
        Assert.Equal(["metric", "sft", "ppo"], table.Columns);
        Assert.Equal(new object?[] { "gold_mean", 0.25, 0.75 }, Assert.Single(table.Rows)); // success/* and t1 left out
        Assert.Equal(new object?[] { "gold_mean", 0.5, 1.0 }, Assert.Single(PolicySetEvaluation.Table(json, sampled: true).Rows));
        Assert.Throws<InvalidDataException>(() => PolicySetEvaluation.Table(new JsonObject()));
    }

    [Fact]
    public void A_headline_table_keeps_the_named_rows_in_their_order_and_says_where_the_rest_are()
    {
        var json = JsonNode.Parse("""
            {"policies": {"sft": {"distinct_2": 0.2, "gold_mean": 0.25, "helpfulness": 0.1}, "ppo": {"distinct_2": 0.1, "gold_mean": 0.75, "helpfulness": 0.3}},
             "settings": {"greedy": "greedy", "t1": "T=1", "prompts": 7}}
            """)!.AsObject();
        var table = PolicySetEvaluation.Table(json, false, ["helpfulness", "gold_mean", "honesty"]);
        Assert.Equal(["helpfulness", "gold_mean"], table.Rows.Select(r => (string)r[0]!)); // honesty is not in the JSON
        Assert.Contains("the other metrics in evaluation.json", table.Caption);
        Assert.DoesNotContain("evaluation.json", PolicySetEvaluation.Table(json).Caption);
        Assert.Equal(["helpfulness", "harmlessness", "over_refusal", "honesty", "gold_mean"], PolicySetEvaluation.HeadlineKeys.Take(5));
    }

    [Fact]
    public void The_frontier_measures_the_reference_at_kl_zero_and_lists_missing_points()
    {
        var options = new RewardKlFrontierOptions
        {
            ReferenceCheckpoint = Repo.Path("data", "checkpoints", "sft"),
            RewardCheckpoint = Repo.Path("data", "checkpoints", "rm"),
            Evaluation = PolicyEvaluationOptions.TemperatureOne with
            {
                PromptsFile = Repo.Path("data", "tinyworld", "eval_prompts.txt"), MaxPromptsPerKind = 1,
                Generation = PolicyEvaluationOptions.TemperatureOne.Generation with { MaxNewTokens = 12 },
            },
            Points = [new("sft", "reference", 0, Repo.Path("data", "checkpoints", "sft")), new("ppo", "kl_coef=9", 9, Repo.Path("out", "no-such-run"))],
        };
        var frontier = RewardKlFrontier.Measure(options);
        var point = Assert.Single(frontier.Points);
        Assert.Equal(0.0, point.Kl, 6);
        Assert.Equal(7, point.Prompts);
        Assert.InRange(point.GoldMean, 0, 1);
        Assert.Equal("kl_coef=9", Assert.Single(frontier.Missing).Label);
        var back = RewardKlFrontier.FromJson(frontier.ToJson());
        Assert.Equal(frontier.Points, back.Points);
        Assert.Contains("not measured (no checkpoint): ppo kl_coef=9", back.ToTable().Caption);
        Assert.Throws<ArgumentException>(() => (options with { Evaluation = PolicyEvaluationOptions.Greedy }).Validate());
    }
}
