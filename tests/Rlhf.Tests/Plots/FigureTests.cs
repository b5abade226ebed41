using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Plots;

namespace Rlhf.Tests.Plots;

/// <summary>The figure's JSON: what plotly.js receives, whatever the machine's culture and whatever the values.</summary>
public class FigureTests
{
    [Fact]
    public void Json_holds_the_traces_and_the_layout_as_given()
    {
        var figure = new Figure([new JsonObject { ["type"] = "bar", ["y"] = new JsonArray(1.5, 2) }], new JsonObject { ["title"] = new JsonObject { ["text"] = "t" } });

        Assert.Equal("""{"data":[{"type":"bar","y":[1.5,2]}],"layout":{"title":{"text":"t"}}}""", figure.ToJson());
        Assert.Equal("bar", Assert.Single(figure.Traces).GetProperty("type").GetString());
        Assert.Equal("t", figure.Title);
        Assert.Equal("chart \"t\" (1 trace)", figure.ToString());
    }

    [Fact]
    public void Non_finite_numbers_are_written_as_null()
    {
        var chart = Charts.History("diverged", "loss", [1.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.5]);
        var json = chart.ToJson();

        Assert.DoesNotContain("NaN", json);
        Assert.DoesNotContain("Infinity", json);
        var y = JsonDocument.Parse(json).RootElement.GetProperty("data")[0].GetProperty("y").EnumerateArray().ToArray();
        Assert.Equal([JsonValueKind.Number, JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Number], y.Select(v => v.ValueKind));
        Assert.Equal(0.5, y[4].GetDouble());

        var single = new Figure([new JsonObject { ["x"] = new JsonArray(float.NaN, 1f), ["opacity"] = double.NaN }], []);
        Assert.Equal("""{"data":[{"x":[null,1],"opacity":null}],"layout":{}}""", single.ToJson());
    }

    [Fact]
    public void Json_is_the_same_under_a_culture_with_a_decimal_comma()
    {
        var invariant = Chart().ToJson();
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("0,5", 0.5.ToString(CultureInfo.CurrentCulture)); // the culture really writes a comma
            var german = Chart().ToJson();
            Assert.Equal(invariant, german);
            Assert.Contains("[0.25,1.5]", german);
            Assert.Contains("\"opacity\":0.3", german);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }

        static Figure Chart() => Charts.History("loss", "loss", [new Series("loss", [(0.5, 0.25), (1.5, 1.5)])], smoothing: 0.5);
    }

    [Fact]
    public void A_figure_keeps_its_own_copy_of_the_json()
    {
        var trace = new JsonObject { ["type"] = "scatter", ["name"] = "before" };
        var layout = new JsonObject { ["width"] = 100 };
        var figure = new Figure([trace], layout);

        trace["name"] = "after";
        layout["width"] = 200;

        Assert.Equal("before", figure.Traces[0].GetProperty("name").GetString());
        Assert.Equal(100, figure.Layout.GetProperty("width").GetInt32());
        Assert.Equal("", figure.Title);
    }

    [Fact]
    public void Strings_cannot_close_the_script_element_they_are_written_into()
    {
        var figure = Charts.Bars("</script><script>alert(1)</script>", "policy", "score", [("a & b", 1.0)]);
        var json = figure.ToJson();

        Assert.DoesNotContain("<", json);
        Assert.DoesNotContain(">", json);
        Assert.Equal("</script><script>alert(1)</script>", figure.Title); // escaped, not changed
    }
}
