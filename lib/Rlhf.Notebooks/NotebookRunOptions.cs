namespace Rlhf.Notebooks;

/// <summary>How to run a notebook.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Where to write the executed notebook (folders are created). Default: nowhere (the result still carries it).
    /// Must differ from the notebook itself: notebooks are kept without outputs.</summary>
    public string? OutputPath { get; init; }

    /// <summary>Called before each code cell runs. Default: none.</summary>
    public Action<CellStart>? CellStarting { get; init; }

    /// <summary>Called after each code cell ran. Default: none.</summary>
    public Action<CellRun>? CellFinished { get; init; }

    /// <summary>The longest one cell may run before the kernel is stopped and the cell fails. Default: 20 minutes (the
    /// course's longest cell takes about one on two cores).</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>Environment variables the kernel gets on top of this process's (e.g. <c>RLHF_SMOKE=1</c>). Default: none.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
