using System.Diagnostics;

namespace Rlhf.Plots;

/// <summary>Calls a notebook display's update at most once per interval, unless forced (start, evaluation, end),
/// so a fast training loop does not flood the notebook with outputs.</summary>
sealed class DisplayThrottle(object view, Action<object?> update, TimeSpan? minimumInterval)
{
    readonly TimeSpan interval = minimumInterval ?? TimeSpan.FromSeconds(1);
    readonly Stopwatch sinceUpdate = Stopwatch.StartNew();

    public void Publish(bool force)
    {
        if (!force && sinceUpdate.Elapsed < interval) return;
        sinceUpdate.Restart();
        update(view);
    }
}
