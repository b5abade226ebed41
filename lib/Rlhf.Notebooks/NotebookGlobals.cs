namespace Rlhf.Notebooks;

/// <summary>
/// The members every cell can call without a prefix, as in the .NET Interactive C# kernel:
/// <c>display(value)</c> and <c>HTML(markup)</c> (named, cased and shaped as the kernel names them, so the
/// same cell runs in VS Code and here).
/// </summary>
public sealed class NotebookGlobals
{
    int nextDisplayId;

    /// <summary>The outputs of the cell that is running (set by the runner).</summary>
    internal CellOutputs Outputs { get; set; } = new();

    /// <summary>Shows <paramref name="value"/> below the cell: charts and <c>IHtmlDisplay</c> objects as HTML, anything
    /// else as text. Returns a handle whose <see cref="DisplayedValue.Update"/> replaces what is shown.</summary>
    /// <param name="value">What to show.</param>
    /// <param name="mimeTypes">Optional: only these MIME types (<c>text/plain</c>, <c>text/html</c>).</param>
    public DisplayedValue display(object? value, params string[] mimeTypes)
    {
        var outputs = Outputs;
        var display = outputs.AddDisplay(DisplayFormatter.Format(value, mimeTypes));
        return new DisplayedValue($"display-{Interlocked.Increment(ref nextDisplayId)}", mimeTypes, outputs, display);
    }

    /// <summary>Marks <paramref name="markup"/> as HTML, so that displaying it renders the markup.</summary>
    public HtmlString HTML(string markup) => new(markup);
}
