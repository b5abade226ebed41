namespace Rlhf.Notebooks;

/// <summary>
/// What <c>display(value)</c> returns in a notebook cell, shaped like .NET Interactive's: call
/// <see cref="Update"/> to replace what the display shows (a progress line, a growing chart). The executed
/// notebook keeps each display's last content.
/// </summary>
public sealed class DisplayedValue
{
    readonly CellOutputs outputs;
    readonly CellOutputs.Display display;
    readonly IReadOnlyList<string> requestedMimeTypes;

    internal DisplayedValue(string displayId, IReadOnlyList<string> requestedMimeTypes, CellOutputs outputs, CellOutputs.Display display)
    {
        DisplayId = displayId;
        this.requestedMimeTypes = requestedMimeTypes;
        this.outputs = outputs;
        this.display = display;
    }

    /// <summary>Identifies the display (unique within a run).</summary>
    public string DisplayId { get; }

    /// <summary>The MIME types the display currently shows, e.g. <c>text/plain</c> and <c>text/html</c>.</summary>
    public IReadOnlyCollection<string> MimeTypes => display.Data.Keys.ToList();

    /// <summary>Replaces the displayed content with <paramref name="updatedValue"/>, formatted like the original.</summary>
    public void Update(object? updatedValue) =>
        outputs.Replace(display, DisplayFormatter.Format(updatedValue, requestedMimeTypes));
}
