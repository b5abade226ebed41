namespace Rlhf.Plots;

/// <summary>One MIME type's rendering of an <see cref="IHtmlDisplay"/> (or of one kind of them), shaped as the .NET Interactive
/// kernel expects a formatter.</summary>
public sealed class HtmlDisplayFormatter
{
    readonly Func<IHtmlDisplay, string> render;

    internal HtmlDisplayFormatter(string mimeType, Func<IHtmlDisplay, string> render, Type? type = null)
    {
        MimeType = mimeType;
        this.render = render;
        Type = type ?? typeof(IHtmlDisplay);
    }

    /// <summary>The MIME type this formatter writes, <c>text/html</c> or <c>text/plain</c>.</summary>
    public string MimeType { get; }

    /// <summary>The type of value it formats: <see cref="IHtmlDisplay"/> and every class implementing it, or one such class.</summary>
    public Type Type { get; }

    /// <summary>Writes <paramref name="value"/>'s rendering to <paramref name="writer"/>; false (nothing written) when it is no <see cref="IHtmlDisplay"/>.</summary>
    public bool Format(object value, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is not IHtmlDisplay display || !Type.IsInstanceOfType(value)) return false;
        writer.Write(render(display));
        return true;
    }
}
