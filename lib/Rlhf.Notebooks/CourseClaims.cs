using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rlhf.Evaluation;

namespace Rlhf.Notebooks;

/// <summary>One checked claim of a course run, with the notebook that made it.</summary>
/// <param name="Notebook">The notebook's name without extension, e.g. <c>02-sft</c>.</param>
/// <param name="Claim">The claim and whether it held.</param>
public sealed record NotebookClaim(string Notebook, Claim Claim);

/// <summary>
/// The <see cref="Claim"/>s of a course run, read from the executed notebooks' HTML outputs: written to
/// <c>results.json</c> under <c>claims</c> (<c>notebook</c>, <c>claim</c>, <c>holds</c>, <c>figures</c>), listed in
/// <c>report.html</c> and, when one does not hold, in the course summary.
/// </summary>
public static class CourseClaims
{
    /// <summary>Every claim shown in <paramref name="notebooks"/>' outputs, in course and cell order.</summary>
    public static IReadOnlyList<NotebookClaim> From(IEnumerable<CourseNotebook> notebooks) =>
        notebooks.SelectMany(n => FromNotebook(Path.GetFileNameWithoutExtension(n.Name), n.Result.ExecutedNotebook)).ToList();

    /// <summary>The claims in one executed notebook (nbformat 4 JSON).</summary>
    /// <exception cref="NotebookFormatException">The JSON is not a notebook, or a claim in it is malformed.</exception>
    public static IEnumerable<NotebookClaim> FromNotebook(string notebook, string executedJson)
    {
        if (string.IsNullOrEmpty(executedJson)) yield break;
        var cells = (JsonNode.Parse(executedJson) as JsonObject)?["cells"] as JsonArray
                    ?? throw new NotebookFormatException($"{notebook}: the executed notebook has no cells array");
        foreach (var cell in cells)
            foreach (var output in cell?["outputs"] as JsonArray ?? [])
            {
                var html = output?["data"]?["text/html"] switch
                {
                    JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
                    JsonValue text => text.GetValue<string>(),
                    _ => null,
                };
                if (html is null || !html.Contains(Claim.HtmlAttribute, StringComparison.Ordinal)) continue;
                IReadOnlyList<Claim> claims;
                try { claims = Claim.FromHtml(html); }
                catch (FormatException e) { throw new NotebookFormatException($"{notebook}: {e.Message}"); }
                foreach (var claim in claims) yield return new NotebookClaim(notebook, claim);
            }
    }

    /// <summary>The claims as <c>results.json</c>'s <c>claims</c> array.</summary>
    public static JsonArray ToJson(IEnumerable<NotebookClaim> claims) =>
        new(claims.Select(c => (JsonNode)new JsonObject
        {
            ["notebook"] = c.Notebook, ["claim"] = c.Claim.Text, ["holds"] = c.Claim.Holds, ["figures"] = c.Claim.Figures,
        }).ToArray());

    /// <summary>The claims that were asserted and do not hold.</summary>
    public static IReadOnlyList<NotebookClaim> Failing(IEnumerable<NotebookClaim> claims) => claims.Where(c => c.Claim.Holds == false).ToList();

    /// <summary>The report's claims section: the failing ones first, then a table of all.</summary>
    public static string Section(IReadOnlyList<NotebookClaim> claims)
    {
        var html = new StringBuilder("<h2>Claims the notebooks check on their own run</h2>\n");
        var failing = Failing(claims);
        html.Append("<p>").Append(claims.Count(c => c.Claim.Holds == true)).Append(" of ").Append(claims.Count).Append(" hold");
        if (claims.Any(c => c.Claim.Holds is null)) html.Append(", ").Append(claims.Count(c => c.Claim.Holds is null)).Append(" not asserted (smoke run)");
        html.Append(failing.Count == 0 ? ".</p>\n" : $"; <b style=\"color:#cf222e\">{failing.Count} do not</b>.</p>\n");
        html.Append("<table><tr><th>notebook</th><th></th><th>claim</th><th>figures</th></tr>\n");
        foreach (var c in failing.Concat(claims.Where(c => c.Claim.Holds != false)))
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(c.Notebook)).Append("</td><td>").Append(c.Claim.Mark).Append("</td><td>")
                .Append(WebUtility.HtmlEncode(c.Claim.Text)).Append("</td><td>").Append(WebUtility.HtmlEncode(c.Claim.Figures)).Append("</td></tr>\n");
        return html.Append("</table>\n").ToString();
    }
}
