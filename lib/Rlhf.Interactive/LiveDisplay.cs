using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace Rlhf.Interactive;

/// <summary>
/// A display that a running cell replaces in place, such as a training view that redraws every second: <see cref="Show"/>
/// puts it below the cell and <see cref="Update"/> replaces what it shows.
/// </summary>
/// <remarks>
/// The kernel's own <c>display(value).Update(newValue)</c> does the same in principle, but in the kernel the course is
/// tested against (dotnet-interactive 1.0.712001) the first display and its updates carry different ids: VS Code then
/// shows the stale first value and, as a second output, the updated one; Jupyter drops the updates. This publishes the
/// first display and every update under one id, so each front end replaces the output in place.
/// </remarks>
public sealed class LiveDisplay
{
    readonly KernelInvocationContext context;
    readonly string id = Guid.NewGuid().ToString("N");

    LiveDisplay(KernelInvocationContext context) => this.context = context;

    /// <summary>Shows <paramref name="value"/> below the running cell and returns the handle that updates it.</summary>
    /// <exception cref="InvalidOperationException">Not called from a cell running in a .NET Interactive kernel.</exception>
    public static LiveDisplay Show(object value)
    {
        var context = KernelInvocationContext.Current
            ?? throw new InvalidOperationException("LiveDisplay.Show must be called from a notebook cell running in the .NET Interactive kernel");
        var display = new LiveDisplay(context);
        context.Publish(new DisplayedValueProduced(value, context.Command, Format(value), display.id));
        return display;
    }

    /// <summary>Replaces what the display shows with <paramref name="value"/> (formatted as the kernel formats any value).</summary>
    public void Update(object? value)
    {
        var shown = value ?? "";
        context.Publish(new DisplayedValueUpdated(shown, id, context.Command, Format(shown)));
    }

    static IReadOnlyList<FormattedValue> Format(object value) => FormattedValue.CreateManyFromObject(value);
}
