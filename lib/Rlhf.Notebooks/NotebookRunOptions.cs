namespace Rlhf.Notebooks;

/// <summary>How to run a notebook.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Where to write the executed notebook (folders are created). Default: nowhere (the result still carries it).
    /// Must differ from the notebook itself: notebooks are kept without outputs.</summary>
    public string? OutputPath { get; init; }

    /// <summary>Called before each code cell runs (outside the cell's console capture). Default: none.</summary>
    public Action<CellStart>? CellStarting { get; init; }

    /// <summary>Called after each code cell ran (outside the cell's console capture). Default: none.</summary>
    public Action<CellRun>? CellFinished { get; init; }
}
