namespace Rlhf.Notebooks;

/// <summary>One executed code cell.</summary>
/// <param name="CellNumber">1-based position in the notebook, counting markdown cells.</param>
/// <param name="ExecutionCount">1 for the first code cell run, 2 for the next, … (the <c>execution_count</c> written).</param>
/// <param name="FirstLine">The cell's first non-blank line.</param>
/// <param name="Started">When the cell started (UTC).</param>
/// <param name="Finished">When the cell finished (UTC).</param>
/// <param name="Failure">Why the cell failed, or null when it succeeded.</param>
public sealed record CellRun(int CellNumber, int ExecutionCount, string FirstLine, DateTimeOffset Started, DateTimeOffset Finished, CellFailure? Failure)
{
    /// <summary>How long the cell ran.</summary>
    public TimeSpan Duration => Finished - Started;

    /// <summary>True when the cell ran without error.</summary>
    public bool Succeeded => Failure is null;
}

/// <summary>A code cell about to run (for progress reports).</summary>
/// <param name="CellNumber">1-based position in the notebook, counting markdown cells.</param>
/// <param name="CodeCellIndex">1-based position among the code cells.</param>
/// <param name="CodeCellCount">How many code cells the notebook has.</param>
/// <param name="FirstLine">The cell's first non-blank line.</param>
public sealed record CellStart(int CellNumber, int CodeCellIndex, int CodeCellCount, string FirstLine);
