using System.Text.Json.Nodes;
using Rlhf.Evaluation;
using Rlhf.Notebooks;

namespace Rlhf.Tests.Evaluation;

/// <summary>Checked claims: shown as ✓/✗ with the figures, carried in the HTML, collected by the course.</summary>
[Collection(Notebooks.NotebookRuns.Name)] // sets RLHF_SMOKE
public class ClaimTests
{
    [Fact]
    public void A_claim_shows_its_mark_and_figures_and_reads_back_from_its_html()
    {
        var holds = Claim.Check("SFT refuses more harmful requests than the base model", true, "0.00 -> 0.88");
        var fails = Claim.Check("the loss starts at ln 2 <for every pair>", false, "3.0343");
        Assert.Equal("✓ SFT refuses more harmful requests than the base model: 0.00 -> 0.88", holds.ToString());
        Assert.Contains("&lt;for every pair&gt;", fails.ToHtml()); // escaped, never markup
        Assert.Equal([holds, fails], Claim.FromHtml("<p>before</p>" + holds.ToHtml() + fails.ToHtml()));
        Assert.Throws<FormatException>(() => Claim.FromHtml($"<div {Claim.HtmlAttribute}=\"{{&quot;claim&quot;: 1}}\"></div>"));
    }

    [Fact]
    public void A_full_size_claim_is_not_asserted_in_a_smoke_run()
    {
        var saved = Environment.GetEnvironmentVariable(CourseRun.SmokeVariable);
        try
        {
            Environment.SetEnvironmentVariable(CourseRun.SmokeVariable, "1");
            var smoke = Claim.Check("win rate near 60%", false, "51.2%", fullSizeOnly: true);
            Assert.Null(smoke.Holds);
            Assert.StartsWith("–", smoke.ToString());
            Assert.Equal(false, Claim.Check("a claim every run makes", false, "1 -> 0").Holds); // asserted at any size
            Environment.SetEnvironmentVariable(CourseRun.SmokeVariable, "0");
            Assert.Equal(false, Claim.Check("win rate near 60%", false, "51.2%", fullSizeOnly: true).Holds);
        }
        finally
        {
            Environment.SetEnvironmentVariable(CourseRun.SmokeVariable, saved);
        }
    }

    [Fact]
    public void The_course_collects_claims_from_executed_outputs_into_results_and_the_report()
    {
        var ok = Claim.Check("gold rises", true, "0.30 -> 0.45");
        var bad = Claim.Check("accuracy near 87%", false, "53.7%");
        var executed = new JsonObject
        {
            ["cells"] = new JsonArray(
                new JsonObject { ["cell_type"] = "markdown", ["source"] = "text" },
                new JsonObject
                {
                    ["cell_type"] = "code",
                    ["outputs"] = new JsonArray(new JsonObject
                    {
                        ["output_type"] = "display_data",
                        ["data"] = new JsonObject { ["text/html"] = new JsonArray(ok.ToHtml()[..20], ok.ToHtml()[20..]), ["text/plain"] = ok.ToString() },
                    }),
                },
                new JsonObject
                {
                    ["cell_type"] = "code",
                    ["outputs"] = new JsonArray(new JsonObject { ["output_type"] = "display_data", ["data"] = new JsonObject { ["text/html"] = bad.ToHtml() } }),
                }),
        }.ToJsonString();

        var claims = CourseClaims.FromNotebook("05-dpo", executed).ToList();
        Assert.Equal([new NotebookClaim("05-dpo", ok), new NotebookClaim("05-dpo", bad)], claims);
        var json = CourseClaims.ToJson(claims);
        Assert.Equal("""{"notebook":"05-dpo","claim":"accuracy near 87%","holds":false,"figures":"53.7%"}""", json[1]!.ToJsonString());
        Assert.Equal([claims[1]], CourseClaims.Failing(claims));
        var section = CourseClaims.Section(claims);
        Assert.Contains("1 of 2 hold", section);
        Assert.True(section.IndexOf("accuracy near 87%", StringComparison.Ordinal) < section.IndexOf("gold rises", StringComparison.Ordinal), "failing claims come first");
    }
}
