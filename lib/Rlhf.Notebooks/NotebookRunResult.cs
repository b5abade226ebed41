namespace Rlhf.Notebooks;

/// <summary>The outcome of running a notebook.</summary>
/// <param name="NotebookPath">The notebook that ran (full path).</param>
/// <param name="Cells">The code cells that ran, in order, up to and including the first failing one.</param>
/// <param name="Failure">The first failing cell, or null when every code cell succeeded.</param>
/// <param name="OutputPath">Where the executed notebook was written, or null when no output path was given.</param>
/// <param name="ExecutedNotebook">The executed notebook as nbformat 4 JSON (outputs, execution counts, timings).</param>
public sealed record NotebookRunResult(
    string NotebookPath, IReadOnlyList<CellRun> Cells, CellFailure? Failure, string? OutputPath, string ExecutedNotebook)
{
    /// <summary>True when every code cell ran without error.</summary>
    public bool Succeeded => Failure is null;

    /// <summary>Total time spent in cells.</summary>
    public TimeSpan Duration => Cells.Aggregate(TimeSpan.Zero, (sum, c) => sum + c.Duration);
}
