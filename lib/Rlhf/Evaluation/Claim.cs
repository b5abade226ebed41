using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rlhf.Plots;

namespace Rlhf.Evaluation;

/// <summary>
/// A sentence a notebook says about its own run, checked on that run's numbers: shown as ✓ or ✗ with the figures
/// ("SFT refuses more harmful requests than the base model: ✓ 0.00 -> 0.88"). The HTML carries the claim as data, so
/// <c>rlhf course</c> collects every claim of every executed notebook into <c>results.json</c> (<c>claims</c>) and lists
/// the ones that do not hold. A claim that only holds at full size is shown but not asserted in a smoke run.
/// </summary>
/// <param name="Text">The claim as the prose makes it.</param>
/// <param name="Holds">Whether the run's numbers support it; null when it was not asserted (a smoke run of a full-size claim).</param>
/// <param name="Figures">The numbers it was checked on, e.g. <c>0.12 -> 1.90</c>.</param>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = new[] { "text/html" })]
public sealed record Claim(string Text, bool? Holds, string Figures) : IHtmlDisplay
{
    /// <summary>The HTML attribute holding the claim's JSON, which <see cref="FromHtml"/> reads back.</summary>
    public const string HtmlAttribute = "data-rlhf-claim";

    /// <summary>Checks a claim on the run's numbers.</summary>
    /// <param name="text">The claim, in the words of the prose around it.</param>
    /// <param name="holds">Whether the numbers support it.</param>
    /// <param name="figures">The numbers, so a reader sees why (e.g. <c>$"{before:F2} -> {after:F2}"</c>).</param>
    /// <param name="fullSizeOnly">True for a claim that needs the full-size run (a smoke run trains a few steps): then in a smoke
    /// run it is shown as not asserted instead of failing.</param>
    public static Claim Check(string text, bool holds, string figures, bool fullSizeOnly = false) =>
        fullSizeOnly && CourseRun.IsSmoke ? new(text, null, figures + " (smoke run: asserted at full size only)") : new(text, holds, figures);

    /// <summary>✓, ✗, or – when not asserted.</summary>
    public string Mark => Holds switch { true => "✓", false => "✗", null => "–" };

    /// <inheritdoc />
    public string ToHtml()
    {
        var data = JsonSerializer.Serialize(new { claim = Text, holds = Holds, figures = Figures });
        var color = Holds switch { true => "#1a7f37", false => "#cf222e", null => "#6e7781" };
        return $"<div {HtmlAttribute}=\"{WebUtility.HtmlEncode(data)}\" style=\"font-family:system-ui,sans-serif;margin:.2rem 0\">" +
               $"<b style=\"color:{color}\">{Mark}</b> {WebUtility.HtmlEncode(Text)}: <span style=\"color:#57606a\">{WebUtility.HtmlEncode(Figures)}</span></div>";
    }

    /// <inheritdoc />
    public override string ToString() => $"{Mark} {Text}: {Figures}";

    static readonly Regex attribute = new(HtmlAttribute + "=\"([^\"]*)\"", RegexOptions.Compiled);

    /// <summary>The claims in an HTML fragment (a cell output), in order.</summary>
    /// <exception cref="FormatException">A claim attribute whose JSON is malformed.</exception>
    public static IReadOnlyList<Claim> FromHtml(string html) =>
        attribute.Matches(html).Select(m =>
        {
            try
            {
                using var json = JsonDocument.Parse(WebUtility.HtmlDecode(m.Groups[1].Value));
                var root = json.RootElement;
                bool? holds = root.GetProperty("holds").ValueKind switch
                {
                    JsonValueKind.True => true, JsonValueKind.False => false, _ => null,
                };
                return new Claim(root.GetProperty("claim").GetString()!, holds, root.GetProperty("figures").GetString()!);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"a {HtmlAttribute} attribute at offset {m.Index} is not a claim: {e.Message}"), e);
            }
        }).ToList();
}
