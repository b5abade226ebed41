namespace Rlhf.Data;

/// <summary>What a loader read: nothing is dropped without being counted here.</summary>
/// <param name="File">The file read.</param>
/// <param name="Format">The format it was read as.</param>
/// <param name="Records">How many records were loaded.</param>
/// <param name="BlankLines">Blank lines skipped (jsonl only).</param>
/// <param name="IdenticalPairLines">Lines (or rows) whose chosen and rejected responses are identical, or whose ranked responses repeat a text; they are kept in the records.</param>
/// <param name="LeftOut">What a conversion left out and why (e.g. tied ranks that give no pair), or null when nothing was.</param>
public sealed record LoadReport(string File, string Format, int Records, int BlankLines, IReadOnlyList<int> IdenticalPairLines, string? LeftOut = null)
{
    /// <summary>How many records have identical chosen and rejected responses.</summary>
    public int IdenticalPairs => IdenticalPairLines.Count;

    /// <summary>One line for a console or a notebook: file, format, records, and everything skipped or kept with a warning.</summary>
    public string Summary =>
        $"{File}: {Format}, {Records:N0} records" +
        (BlankLines > 0 ? $"; {BlankLines} blank lines skipped" : "") +
        (IdenticalPairs > 0 ? $"; {IdenticalPairs} pairs with identical answers kept (first at line {IdenticalPairLines[0]})" : "") +
        (LeftOut is null ? "" : $"; {LeftOut}");
}

/// <summary>The records a loader read, with its report.</summary>
/// <param name="Records">The records, in file order.</param>
/// <param name="Report">What was read and what looked wrong.</param>
public sealed record Loaded<T>(IReadOnlyList<T> Records, LoadReport Report);
