using System.Globalization;

namespace Rlhf.Plots;

/// <summary>How table cells show values: numbers compactly and culture-independently, everything else as text.</summary>
public static class CellFormat
{
    /// <summary>
    /// The text for one cell. Integers in full (<c>12345</c>); other numbers with 4 significant digits
    /// and trailing zeros dropped (<c>0.1235</c>, <c>2.5</c>, <c>123.5</c>), never fewer than their integer
    /// digits (<c>12346</c>), and in scientific notation below 0.001 or from 1,000,000 on (<c>1.235e-05</c>);
    /// <c>NaN</c>, <c>∞</c> and <c>-∞</c> as such; <c>null</c> as an empty cell; booleans as
    /// <c>true</c>/<c>false</c>; dates as <c>yyyy-MM-dd HH:mm:ss</c>. Always the invariant culture, so a
    /// notebook's output does not depend on the machine's language settings.
    /// </summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        double d => FormatReal(d),
        float f => FormatReal(f),
        decimal m => FormatReal((double)m),
        Half h => FormatReal((double)h),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture), // integers, TimeSpan, enums...
        _ => value.ToString() ?? "",
    };

    /// <summary>True for values a table right-aligns: every integer and floating-point type.</summary>
    public static bool IsNumber(object? value) => value is sbyte or byte or short or ushort or int or uint or long or ulong
        or nint or nuint or Int128 or UInt128 or System.Numerics.BigInteger or float or double or decimal or Half;

    static string FormatReal(double x)
    {
        if (double.IsNaN(x)) return "NaN";
        if (double.IsPositiveInfinity(x)) return "∞";
        if (double.IsNegativeInfinity(x)) return "-∞";
        if (x == 0) return "0"; // also -0
        double magnitude = Math.Abs(x);
        if (magnitude < 1e-3 || magnitude >= 1e6) return x.ToString("0.###e+00", CultureInfo.InvariantCulture);
        // 4 significant digits: 3 decimals for 1.xxx, 4 for 0.1xxx, none from 1000 on.
        int integerDigits = (int)Math.Floor(Math.Log10(magnitude)) + 1;
        int decimals = Math.Clamp(4 - integerDigits, 0, 6);
        var text = x.ToString("F" + decimals, CultureInfo.InvariantCulture);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }
}
