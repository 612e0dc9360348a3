"""Numbers in messages, written as Unicode maths: 8.419×10⁻⁵ and a true minus sign."""

from __future__ import annotations

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(exponent: int) -> str:
    """10 to an integer power in superscript: 10⁻⁵, 10¹²."""
    return "10" + str(int(exponent)).translate(_SUPERSCRIPT)


def number(value: float, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits: 0.05, −3.2, 8.419×10⁻⁵, 10⁻²⁰, ∞, NaN."""
    text = f"{value:.{digits}g}"
    if text == "nan":
        return "NaN"
    if text in ("inf", "-inf"):
        return text.replace("inf", "∞").replace("-", "−")
    if "e" not in text:
        return text.replace("-", "−")
    mantissa, exponent = text.split("e")
    power = power_of_ten(int(exponent))
    sign, mantissa = ("-", mantissa[1:]) if mantissa.startswith("-") else ("", mantissa)
    return (sign + (power if mantissa == "1" else f"{mantissa}×{power}")).replace("-", "−")
