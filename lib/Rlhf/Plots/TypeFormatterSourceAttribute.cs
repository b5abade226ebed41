namespace Rlhf.Plots;

/// <summary>
/// Tells a .NET Interactive kernel (VS Code's Polyglot Notebooks, Jupyter's .NET kernel) how to display the
/// class it is placed on: with the formatters of <see cref="FormatterSourceType"/>, preferring
/// <see cref="PreferredMimeTypes"/>. Every <see cref="IHtmlDisplay"/> of the library carries it with
/// <see cref="NotebookFormatterSource"/>, so <c>display(chart)</c> shows the chart, not its properties.
/// </summary>
/// <remarks>
/// The kernel's formatter finds this attribute by convention, not by type: for a value's type it looks for a custom
/// attribute (inherited ones included) whose class is <em>named</em> <c>TypeFormatterSourceAttribute</c>, in any
/// namespace, and reads <see cref="FormatterSourceType"/> and <see cref="PreferredMimeTypes"/> from it by reflection
/// (see <see cref="NotebookFormatterSource"/> for the rest of the convention). That is why this class has exactly
/// that name and those property names. Rlhf.dll deliberately takes no dependency on the kernel's packages: the
/// kernel ships its own FSharp.Core and formatting assemblies, and a library built against other versions of them
/// fails to load there (as Plotly.NET 6 did), while a convention needs no shared assembly at all.
/// </remarks>
/// <param name="formatterSourceType">A class with a public parameterless constructor and a public
/// <c>CreateTypeFormatters()</c> method, such as <see cref="NotebookFormatterSource"/>.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The class whose <c>CreateTypeFormatters()</c> gives the formatters.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType ?? throw new ArgumentNullException(nameof(formatterSourceType));

    /// <summary>The MIME types the kernel should show first, e.g. <c>text/html</c>; null leaves the kernel's default.</summary>
    public string[]? PreferredMimeTypes { get; set; }
}
