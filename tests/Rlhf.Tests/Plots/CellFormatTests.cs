using Rlhf.Plots;

namespace Rlhf.Tests.Plots;

public class CellFormatTests
{
    [Theory]
    [InlineData(0.123456, "0.1235")]
    [InlineData(1.23456, "1.235")]
    [InlineData(123.456, "123.5")]
    [InlineData(12345.6, "12346")]
    [InlineData(2.5, "2.5")]
    [InlineData(2.0, "2")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(0.001234, "0.001234")]
    [InlineData(0.0000123456, "1.235e-05")]
    [InlineData(1234567.0, "1.235e+06")]
    [InlineData(0.0, "0")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "∞")]
    [InlineData(double.NegativeInfinity, "-∞")]
    public void Doubles_show_four_significant_digits(double value, string expected) =>
        Assert.Equal(expected, CellFormat.Format(value));

    [Fact]
    public void Other_types_format_invariantly()
    {
        Assert.Equal("12345678", CellFormat.Format(12345678));       // integers in full, no separators
        Assert.Equal("-3", CellFormat.Format(-3L));
        Assert.Equal("0", CellFormat.Format(-0.0));                 // not "-0"
        Assert.Equal("0.1", CellFormat.Format(0.1f));               // not 0.100000001
        Assert.Equal("0.3333", CellFormat.Format(1m / 3m));
        Assert.Equal("true", CellFormat.Format(true));
        Assert.Equal("", CellFormat.Format(null));
        Assert.Equal("a <b>", CellFormat.Format("a <b>"));          // escaping is the table's job
        Assert.Equal("2026-03-01 14:05:09", CellFormat.Format(new DateTime(2026, 3, 1, 14, 5, 9)));
        Assert.Equal("00:01:30", CellFormat.Format(TimeSpan.FromSeconds(90)));
        Assert.Equal("Friday", CellFormat.Format(DayOfWeek.Friday));
    }

    [Fact]
    public void Formatting_ignores_the_machines_culture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE"); // decimal comma
            Assert.Equal("1.235", CellFormat.Format(1.23456));
            Assert.Equal("1.235e-05", CellFormat.Format(0.0000123456));
        }
        finally { Thread.CurrentThread.CurrentCulture = previous; }
    }

    [Fact]
    public void Numbers_are_recognised_for_alignment()
    {
        Assert.True(CellFormat.IsNumber(1));
        Assert.True(CellFormat.IsNumber(1.5));
        Assert.True(CellFormat.IsNumber(1.5f));
        Assert.True(CellFormat.IsNumber(1.5m));
        Assert.False(CellFormat.IsNumber("1.5"));
        Assert.False(CellFormat.IsNumber(null));
        Assert.False(CellFormat.IsNumber(true));
    }
}
