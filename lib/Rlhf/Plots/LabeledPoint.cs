namespace Rlhf.Plots;

/// <summary>One point of a scatter chart with a label drawn next to it, e.g. one policy on a KL-vs-reward frontier.</summary>
/// <param name="X">Horizontal position (e.g. KL to the reference policy).</param>
/// <param name="Y">Vertical position (e.g. gold reward).</param>
/// <param name="Label">Text shown next to the point (e.g. <c>"beta=0.1"</c>); may be empty.</param>
/// <param name="Group">Points with the same group share a colour and a legend entry (e.g. <c>"PPO"</c>, <c>"DPO"</c>).</param>
/// <param name="XError">Half-length of the horizontal error bar (e.g. one standard error), or null for none.</param>
/// <param name="YError">Half-length of the vertical error bar, or null for none.</param>
public sealed record LabeledPoint(double X, double Y, string Label, string Group = "points", double? XError = null, double? YError = null);
