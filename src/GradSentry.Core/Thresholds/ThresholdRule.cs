using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace GradSentry.Thresholds;

/// <summary>Parses the threshold option users type (<c>--threshold auto | 0.71 | top:0.05</c>).</summary>
public static class ThresholdRule
{
    /// <summary>The accepted forms, for help texts and error messages.</summary>
    public const string Syntax = "'auto' (reliable KDE valley), a number in [0, 1] such as '0.71' (fixed), or 'top:F' with F in (0, 1] such as 'top:0.05'";

    /// <summary>True when <paramref name="text"/> is <c>auto</c> (any case, blanks ignored).</summary>
    public static bool IsAuto(string? text) => string.Equals(text?.Trim(), "auto", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Parses <paramref name="text"/> (case-insensitive, surrounding blanks ignored, numbers in invariant culture):
    /// <c>auto</c> → <see cref="KdeValleyThreshold"/>, a number → <see cref="FixedThreshold"/>,
    /// <c>top:F</c> → <see cref="TopFractionThreshold"/>.
    /// </summary>
    /// <exception cref="FormatException">The text is not one of the forms above or its number is out of range; the message says what is accepted.</exception>
    public static IThresholdRule Parse(string text)
    {
        if (TryParse(text, out var rule, out var error)) return rule;
        throw new FormatException(error);
    }

    /// <summary>Like <see cref="Parse"/>, returning the error message instead of throwing.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IThresholdRule? rule, [NotNullWhen(false)] out string? error)
    {
        rule = null;
        error = null;
        var t = text?.Trim() ?? "";
        if (t.Length == 0)
        {
            error = "The threshold is empty; use " + Syntax + ".";
            return false;
        }
        if (t.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            rule = new KdeValleyThreshold();
            return true;
        }
        if (t.StartsWith("top:", StringComparison.OrdinalIgnoreCase))
        {
            var f = t[4..].Trim();
            if (!TryNumber(f, out var fraction))
            {
                error = $"'{t}': '{f}' is not a number; use {Syntax}.";
                return false;
            }
            if (!(fraction > 0 && fraction <= 1))
            {
                error = $"'{t}': the top fraction must be greater than 0 and at most 1 (e.g. top:0.05 flags the top 5%).";
                return false;
            }
            rule = new TopFractionThreshold(fraction);
            return true;
        }
        if (!TryNumber(t, out var value))
        {
            error = $"'{t}' is not a threshold; use {Syntax}.";
            return false;
        }
        if (!(value >= 0 && value <= 1))
        {
            error = $"'{t}': a fixed threshold must be between 0 and 1 (scores are normalised entropies); use {Syntax}.";
            return false;
        }
        rule = new FixedThreshold(value);
        return true;
    }

    /// <summary>A finite invariant-culture number; NaN, infinity and thousands separators are refused.</summary>
    static bool TryNumber(string s, out double value) =>
        double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
