"""The visual language shared by every figure: one display name, one colour and one
line/marker style per method, so a method looks the same on the map, in 3-D, in the
convergence plot and in every table."""

from __future__ import annotations

import numpy as np

from ..optimize import METHODS, Status
from ..text import number as number_text  # noqa: F401  (titles, legends, tables)
from ..text import power_of_ten

#: full names on screen (never the code names ``gd``, ``lbfgs``)
METHOD_NAMES = {"newton": "exact Newton", "approx_newton": "approximate Newton",
                "gd": "gradient descent", "newton_cg": "Newton-CG",
                "lbfgs": "L-BFGS-B (SciPy)", "bfgs": "BFGS (SciPy)",
                "trust_exact": "trust-exact (SciPy)", "trust_krylov": "trust-krylov (SciPy)"}
#: colour-blind-safe Okabe-Ito colours, one per method
METHOD_COLOURS = {"newton": "#0072B2", "approx_newton": "#56B4E9", "gd": "#E69F00",
                  "newton_cg": "#009E73", "lbfgs": "#CC79A7", "bfgs": "#D55E00",
                  "trust_exact": "#000000", "trust_krylov": "#999999"}
#: paths that coincide (exact and approximate Newton) stay distinguishable by marker
#: and dash
METHOD_MARKERS = {"newton": "circle", "approx_newton": "diamond", "gd": "square",
                  "newton_cg": "triangle-up", "lbfgs": "x", "bfgs": "cross",
                  "trust_exact": "triangle-down", "trust_krylov": "star-triangle-up"}
METHOD_DASHES = {"newton": "solid", "approx_newton": "dash", "gd": "solid",
                 "newton_cg": "dot", "lbfgs": "dashdot", "bfgs": "longdash",
                 "trust_exact": "dot", "trust_krylov": "longdashdot"}
assert set(METHOD_NAMES) == set(METHOD_COLOURS) == set(METHOD_MARKERS) == set(METHODS)




def power_text(value: float) -> str:
    """A tick label in the one exponent style of every chart (Plotly's
    ``exponentformat="power"``): 0.05 and 200 as they are, else 10⁻⁵ or 2×10⁻⁵."""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:  # with a true minus sign, as Plotly writes its own ticks
        return np.format_float_positional(value, precision=3, fractional=False,
                                          trim="-").replace("-", "−")
    mantissa, exponent = f"{value:.1e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    power = power_of_ten(int(exponent))
    return {"1": power, "-1": "−" + power}.get(mantissa, f"{mantissa}×{power}".replace("-", "−"))


def decade_text(exponent: int) -> str:
    """A tick label of a decade on a log axis: 1, 10, then 10² … and 10⁻¹ … (one style
    along the whole axis: not 0.01 beside 10⁻⁴)."""
    return {0: "1", 1: "10"}.get(int(exponent), power_of_ten(exponent))


def log_ticks(low: float, high: float, most: int = 8) -> dict:
    """Plotly settings of a log axis over the positive values [low, high], every label
    written out in one style: decades (1, 10, 10², 10⁻³, at most ``most``) when the
    range spans a decade or more, else 1, 2 and 5 times a power of ten (2×10⁻³); never
    Plotly's bare minor digits "2" and "5" between decades. Without a positive finite
    range, a plain log axis in that exponent style."""
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low <= high):
        return dict(type="log", exponentformat="power")
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    inside = [e for e in range(first, last + 1) if low <= 10.0**e <= high]
    if len(inside) >= 3:  # every 1, 2, 3, 5, 10, 20 … decades, at multiples of the step
        step = next(k for k in (1, 2, 3, 5, 10, 20, 25, 50, 100, 200)
                    if len([e for e in inside if e % k == 0]) <= most)
        shown = [e for e in inside if e % step == 0] or inside[:1]
        return dict(type="log", tickvals=[10.0**e for e in shown],
                    ticktext=[decade_text(e) for e in shown])
    for mantissas in ((1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9)):
        values = [m * 10.0**e for e in range(first, last + 1) for m in mantissas
                  if low <= m * 10.0**e <= high]
        if len(values) >= 2:
            break
    else:  # a range narrower than one step of 1..9: its two ends
        values = [low, high] if low < high else [low]
    return dict(type="log", tickvals=values, ticktext=[power_text(v) for v in values])


def positive_range(*arrays) -> tuple[float, float]:
    """(smallest, largest) positive finite value over the arrays (NaN, NaN if none)."""
    values = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in arrays] or [[]])
    values = values[np.isfinite(values) & (values > 0)]
    return (float(values.min()), float(values.max())) if values.size else (np.nan, np.nan)


def integer_ticks(span: float) -> dict:
    """Plotly axis settings for an integer quantity (an iteration, an index) running
    over 0..span: ticks only at integers, about eight at most (1, 2 or 5 times a power
    of ten apart), never 0.5 or 1.5."""
    step = next(m * 10**e for e in range(16) for m in (1, 2, 5) if span <= 8 * m * 10**e)
    return dict(tick0=0, dtick=step, tickformat="d")


#: how a run ended, in words (``Status`` values are codes)
STATUS_NAMES = {"converged": "converged", "max_iter": "iteration limit",
                "not_descent": "no descent direction", "indefinite": "indefinite Hessian",
                "pole": "blocked by the pole set", "non_finite": "values not finite",
                "stalled": "stalled (no decrease resolvable)",
                "diverging": "diverging (no finite minimiser)",
                "gave_up": "gave up (decrease still predicted)"}
assert set(STATUS_NAMES) == {status.value for status in Status}


def status_name(status) -> str:
    """A run's ``Status`` (or its value) in words."""
    value = getattr(status, "value", status)
    return STATUS_NAMES.get(value, value)


def count(n: int, noun: str) -> str:
    """``n`` and the noun, in the singular for 1: "1 negative eigenvalue", "6 negative
    eigenvalues" (the noun's last word takes an s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def method_name(method: str) -> str:
    """The display name of a method code (an unknown one is shown as given)."""
    return METHOD_NAMES.get(method, method)


def method_style(method: str) -> dict:
    """Plotly ``line`` and ``marker`` settings of a method (empty for an unknown one)."""
    if method not in METHOD_COLOURS:
        return dict(line=dict(), marker=dict())
    colour = METHOD_COLOURS[method]
    return dict(line=dict(color=colour, dash=METHOD_DASHES[method]),
                marker=dict(color=colour, symbol=METHOD_MARKERS[method]))
