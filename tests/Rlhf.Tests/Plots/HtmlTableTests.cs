using System.Xml.Linq;
using Rlhf.Plots;

namespace Rlhf.Tests.Plots;

public class HtmlTableTests
{
    sealed record PolicyResult(string Policy, double WinRate, int Samples);

    static readonly PolicyResult[] Results = [new("SFT", 0.5, 200), new("PPO <β=0.1>", 0.6234, 1200)];

    [Fact]
    public void Html_has_caption_headers_and_formatted_cells_in_order()
    {
        var table = HtmlTable.FromRecords("Win rates", Results);
        var html = XElement.Parse(table.ToHtml()); // well-formed: parses as XML

        Assert.Equal("table", html.Name.LocalName);
        Assert.Equal("Win rates", html.Element("caption")!.Value);
        Assert.Equal(["Policy", "WinRate", "Samples"], html.Descendants("th").Select(th => th.Value));
        var rows = html.Element("tbody")!.Elements("tr").Select(tr => tr.Elements("td").Select(td => td.Value).ToArray()).ToArray();
        Assert.Equal([["SFT", "0.5", "200"], ["PPO <β=0.1>", "0.6234", "1200"]], rows);
    }

    [Fact]
    public void Html_escapes_markup_in_caption_headers_and_cells()
    {
        var table = new HtmlTable("<b>caption</b> & more", ["<script>"], [["<img src=x onerror=alert(1)>"], ["line 1\nline 2"]]);
        var html = table.ToHtml();

        Assert.Contains("&lt;b&gt;caption&lt;/b&gt; &amp; more", html);
        Assert.Contains("<th style=\"text-align: left; padding: 2px 8px; border-bottom: 1px solid #888;\">&lt;script&gt;</th>", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<script", html);
        Assert.Contains("line 1<br>line 2", html);
    }

    [Fact]
    public void Numeric_columns_are_right_aligned_in_html()
    {
        var html = XElement.Parse(HtmlTable.FromRecords("r", Results).ToHtml());
        var firstRow = html.Element("tbody")!.Element("tr")!.Elements("td").Select(td => (string)td.Attribute("style")!).ToArray();
        Assert.StartsWith("text-align: left;", firstRow[0]);
        Assert.StartsWith("text-align: right;", firstRow[1]);
        Assert.StartsWith("text-align: right;", firstRow[2]);
    }

    [Fact]
    public void Plain_text_aligns_columns_and_right_aligns_numbers()
    {
        var text = HtmlTable.From("Win rates", Results, ("policy", r => r.Policy), ("win rate", r => r.WinRate), ("n", r => r.Samples)).ToString();
        string[] expected =
        [
            "Win rates",
            "policy       win rate     n",
            "-----------  --------  ----",
            "SFT               0.5   200",
            "PPO <β=0.1>    0.6234  1200",
            "",
        ];
        Assert.Equal(string.Join("\n", expected), text);
    }

    [Fact]
    public void Plain_text_keeps_multi_line_cells_on_one_line_and_drops_nothing()
    {
        var longText = new string('x', 300);
        var text = new HtmlTable("", ["prompt", "response"], [["a\nb", longText]]).ToString();
        var lines = text.Split('\n');
        Assert.Equal("prompt  response", lines[0].TrimEnd());
        Assert.Equal("a⏎b     " + longText, lines[2]);
    }

    [Fact]
    public void Dictionaries_become_rows_with_the_union_of_keys_in_first_seen_order()
    {
        var rows = new List<Dictionary<string, double>>
        {
            new() { ["loss"] = 1.25, ["kl"] = 0.01 },
            new() { ["loss"] = 0.75, ["reward"] = 2.0 },
        };
        var table = HtmlTable.FromDictionaries("metrics", rows);

        Assert.Equal(["loss", "kl", "reward"], table.Columns);
        Assert.Equal([1.25, 0.01, null], table.Rows[0]);
        Assert.Equal([0.75, null, 2.0], table.Rows[1]);
        Assert.True(table.IsNumeric(1)); // empty cells do not make a column textual
        Assert.Equal(["metrics", "loss    kl  reward", "----  ----  ------", "1.25  0.01", "0.75             2", ""], table.ToString().Split('\n'));
    }

    [Fact]
    public void Pairs_become_a_two_column_table()
    {
        var metrics = new Dictionary<string, double> { ["loss"] = 0.6931, ["accuracy"] = 0.875 };
        var table = HtmlTable.FromPairs("reward model", metrics);
        Assert.Equal(["metric", "value"], table.Columns);
        Assert.Equal(["reward model", "metric     value", "--------  ------", "loss      0.6931", "accuracy   0.875", ""], table.ToString().Split('\n'));
    }

    [Fact]
    public void Rows_of_the_wrong_width_are_named_in_the_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new HtmlTable("t", ["a", "b"], [[1, 2], [3]]));
        Assert.Contains("row 2 has 1 values but the table has 2 columns (a, b)", error.Message);
        Assert.Contains("column 'a' appears twice", Assert.Throws<ArgumentException>(() => new HtmlTable("t", ["a", "a"], [])).Message);
    }

    [Fact]
    public void A_table_is_an_html_display()
    {
        IHtmlDisplay display = new HtmlTable("t", ["a"], [[1]]);
        Assert.StartsWith("<table", display.ToHtml());
    }
}
