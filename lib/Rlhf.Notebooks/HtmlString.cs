namespace Rlhf.Notebooks;

/// <summary>HTML markup that a notebook displays as HTML: what <c>HTML("…")</c> returns in a cell, like the kernel's.</summary>
/// <param name="Html">The markup.</param>
public sealed record HtmlString(string Html)
{
    /// <summary>The markup itself.</summary>
    public override string ToString() => Html;
}
