using System.Net;
using System.Reflection;
using System.Text;

namespace Rlhf.Plots;

/// <summary>
/// A table of values with a caption, e.g. metrics per policy or sample generations. In a notebook it
/// shows as an HTML table (<see cref="ToHtml"/>); <see cref="ToString"/> gives the same table as aligned
/// plain text for the <c>text/plain</c> output and the console. Numbers are formatted by
/// <see cref="CellFormat.Format"/> and right-aligned; all text is HTML-escaped.
/// </summary>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = new[] { "text/html" })]
public sealed class HtmlTable : IHtmlDisplay
{
    /// <summary>The caption shown above the table.</summary>
    public string Caption { get; }

    /// <summary>The column headers, in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The raw cell values, one list per row, each as long as <see cref="Columns"/>; <c>null</c> is an empty cell.</summary>
    public IReadOnlyList<IReadOnlyList<object?>> Rows { get; }

    /// <summary>Builds a table from headers and rows of raw values.</summary>
    /// <param name="caption">Shown above the table; may be empty.</param>
    /// <param name="columns">The headers, distinct.</param>
    /// <param name="rows">Each row has exactly one value per column.</param>
    public HtmlTable(string caption, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(caption);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        if (columns.Count == 0) throw new ArgumentException("a table needs at least one column", nameof(columns));
        var duplicate = columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"column '{duplicate.Key}' appears twice", nameof(columns));
        for (int r = 0; r < rows.Count; r++)
            if (rows[r] is null || rows[r].Count != columns.Count)
                throw new ArgumentException($"row {r + 1} has {rows[r]?.Count ?? 0} values but the table has {columns.Count} columns ({string.Join(", ", columns)})", nameof(rows));
        Caption = caption;
        Columns = columns.ToArray();
        Rows = rows.Select(r => (IReadOnlyList<object?>)r.ToArray()).ToArray();
    }

    /// <summary>
    /// One row per item, one column per selector: <c>HtmlTable.From("Results", runs, ("policy", r =&gt; r.Name), ("win rate", r =&gt; r.WinRate))</c>.
    /// </summary>
    public static HtmlTable From<T>(string caption, IEnumerable<T> items, params (string Header, Func<T, object?> Value)[] columns)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(columns);
        var rows = items.Select(item => (IReadOnlyList<object?>)columns.Select(c => c.Value(item)).ToArray()).ToArray();
        return new HtmlTable(caption, columns.Select(c => c.Header).ToArray(), rows);
    }

    /// <summary>One row per item, one column per public instance property of <typeparamref name="T"/> in declaration order (e.g. a record's fields).</summary>
    public static HtmlTable FromRecords<T>(string caption, IEnumerable<T> items)
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.CanRead)
            .OrderBy(p => p.MetadataToken) // declaration order
            .ToArray();
        if (properties.Length == 0) throw new ArgumentException($"{typeof(T).Name} has no public properties to show as columns", nameof(items));
        return From(caption, items, properties.Select(p => (p.Name, (Func<T, object?>)(item => p.GetValue(item)))).ToArray());
    }

    /// <summary>
    /// One row per dictionary, e.g. one metrics dictionary per policy. The columns are every key, in the
    /// order first seen; a row without some key shows an empty cell there.
    /// </summary>
    public static HtmlTable FromDictionaries<TValue>(string caption, IEnumerable<IReadOnlyDictionary<string, TValue>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToArray();
        var columns = list.SelectMany(r => r.Keys).Distinct().ToArray();
        var values = list.Select(r => (IReadOnlyList<object?>)columns.Select(c => r.TryGetValue(c, out var v) ? (object?)v : null).ToArray()).ToArray();
        return new HtmlTable(caption, columns, values);
    }

    /// <summary>A two-column table of names and values, e.g. the metrics of one run.</summary>
    public static HtmlTable FromPairs<TValue>(string caption, IEnumerable<KeyValuePair<string, TValue>> pairs, string nameHeader = "metric", string valueHeader = "value")
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return new HtmlTable(caption, [nameHeader, valueHeader], pairs.Select(p => (IReadOnlyList<object?>)[p.Key, p.Value]).ToArray());
    }

    /// <summary>True where every non-empty cell of the column is a number: such columns are right-aligned.</summary>
    public bool IsNumeric(int column) =>
        Rows.Any(r => r[column] is not null) && Rows.All(r => r[column] is null || CellFormat.IsNumber(r[column]));

    /// <inheritdoc/>
    public string ToHtml()
    {
        var html = new StringBuilder();
        html.Append("<table class=\"rlhf-table\" style=\"border-collapse: collapse; font-variant-numeric: tabular-nums;\">\n");
        if (Caption.Length > 0) html.Append("<caption style=\"caption-side: top; font-weight: bold; text-align: left;\">").Append(Escape(Caption)).Append("</caption>\n");
        html.Append("<thead><tr>");
        for (int c = 0; c < Columns.Count; c++)
            html.Append("<th style=\"").Append(Align(c)).Append(" padding: 2px 8px; border-bottom: 1px solid #888;\">").Append(Escape(Columns[c])).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in Rows)
        {
            html.Append("<tr>");
            for (int c = 0; c < Columns.Count; c++)
                html.Append("<td style=\"").Append(Align(c)).Append(" padding: 2px 8px;\">").Append(Escape(CellFormat.Format(row[c]))).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>");
        return html.ToString();
    }

    /// <summary>
    /// The table as aligned plain text: the caption, the headers, a rule, then one line per row; columns
    /// separated by two spaces, numbers right-aligned. Line breaks inside a cell are shown as <c>⏎</c>.
    /// </summary>
    public override string ToString()
    {
        var cells = Rows.Select(r => r.Select(v => OneLine(CellFormat.Format(v))).ToArray()).ToArray();
        var headers = Columns.Select(OneLine).ToArray();
        var widths = headers.Select((h, c) => cells.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        string Line(IReadOnlyList<string> values) => string.Join("  ",
            values.Select((v, c) => IsNumeric(c) ? v.PadLeft(widths[c]) : v.PadRight(widths[c]))).TrimEnd();

        var text = new StringBuilder();
        if (Caption.Length > 0) text.Append(OneLine(Caption)).Append('\n');
        text.Append(Line(headers)).Append('\n');
        text.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (var row in cells) text.Append(Line(row)).Append('\n');
        return text.ToString();
    }

    string Align(int column) => IsNumeric(column) ? "text-align: right;" : "text-align: left;";

    /// <summary>HTML-escapes text and keeps its line breaks visible.</summary>
    static string Escape(string text) => WebUtility.HtmlEncode(text).Replace("\r\n", "\n").Replace("\n", "<br>");

    static string OneLine(string text) => text.Replace("\r\n", "\n").Replace("\n", "⏎");
}
